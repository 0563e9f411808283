package org.discoverweekly.etl.generate;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * What {@code generate} planted, so tests can reconcile the pipeline's output with it exactly.
 *
 * @param linesPerArrivalDate landing lines per arrival date, i.e. the expected bronze rows
 * @param uniqueListens real listens, after every duplicate is removed
 * @param uniqueListensPerEventDate the same, by UTC event date
 * @param fingerprint {@link ListenFingerprint} of the unique listens
 * @param retries extra copies with the same event id
 * @param resends extra copies with a new event id and the same (user, track, ts)
 * @param lateListens listens that arrived on a later date than they happened
 * @param quarantine bad lines by the reason code the contract gives them
 * @param botUsers users who play more than a human can on some days
 * @param feedbackLinesPerArrivalDate feedback landing lines per arrival date (bronze.feedback)
 * @param feedbackEvents unique feedback events (silver.feedback)
 * @param feedbackRetries extra copies of feedback events with the same event id
 * @param feedbackQuarantine bad feedback lines by the reason code the contract gives them
 * @param blocksInForce {@code user|track|id} and {@code user|artist|id} blocks in force at the end
 *     week: none of these may be in that week's playlists
 * @param formatChangedLines listen lines of the format change date whose track id has the new form
 *     ({@link Generator#NEW_TRACK_ID_FORM}); absent without a format change
 */
public record Manifest(
    GeneratorSettings settings,
    LocalDate startDate,
    List<LocalDate> arrivalDates,
    Map<LocalDate, Long> linesPerArrivalDate,
    long uniqueListens,
    long streams,
    Map<LocalDate, Long> uniqueListensPerEventDate,
    String fingerprint,
    long retries,
    long resends,
    long lateListens,
    Map<String, Long> quarantine,
    List<String> botUsers,
    long botUserDays,
    long unavailableTracks,
    Map<LocalDate, Long> feedbackLinesPerArrivalDate,
    long feedbackEvents,
    long feedbackRetries,
    Map<String, Long> feedbackQuarantine,
    List<String> blocksInForce,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long formatChangedLines) {}
