"""Alert hooks of the discover_weekly DAG: replace the bodies with the team's paging or chat."""

from __future__ import annotations

import logging

from discover_weekly_submit import DataAnomaly

log = logging.getLogger("discover_weekly")


def task_failed(context) -> None:
    """`on_failure_callback` of every task, after its last retry (at once for anomalous data)."""
    ti = context["ti"]
    error = context.get("exception")
    if isinstance(error, DataAnomaly):
        # The CLI's line names the arrival dates and the metrics that broke their rules.
        log.error(
            "discover_weekly: %s found anomalous data for the interval ending %s: %s",
            ti.task_id,
            context.get("data_interval_end"),
            error,
        )
        return
    log.error(
        "discover_weekly: task %s failed for the interval ending %s (try %s); see its log",
        ti.task_id,
        context.get("data_interval_end"),
        ti.try_number,
    )


async def playlists_late(**kwargs) -> None:
    """The deadline alert: the week's playlists were not published by Monday 06:00 UTC."""
    log.error("discover_weekly: playlists are late (deadline missed): %s", kwargs)
