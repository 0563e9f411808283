"""Alert hooks of the discover_weekly DAG: replace the bodies with the team's paging or chat."""

from __future__ import annotations

import logging

log = logging.getLogger("discover_weekly")


def task_failed(context) -> None:
    """`on_failure_callback` of every task, after its last retry."""
    ti = context["ti"]
    log.error(
        "discover_weekly: task %s failed for the interval ending %s (try %s); see its log",
        ti.task_id,
        context.get("data_interval_end"),
        ti.try_number,
    )


async def playlists_late(**kwargs) -> None:
    """The deadline alert: the week's playlists were not published by Monday 06:00 UTC."""
    log.error("discover_weekly: playlists are late (deadline missed): %s", kwargs)
