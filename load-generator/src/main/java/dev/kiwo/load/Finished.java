package dev.kiwo.load;

import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * How an accepted job ended, as {@code jobs.results} or the API tells it: what the summary counts and times.
 *
 * @param jobClass    the class the classifier gave it; null when it ended before being classified
 * @param status      SUCCEEDED, FAILED or CANCELLED
 * @param submittedAt when the API accepted it
 * @param finishedAt  when it ended
 */
record Finished(JobClass jobClass, JobStatus status, Instant submittedAt, Instant finishedAt) {

    static Finished of(JobResult result) {
        return new Finished(result.jobClass(), result.status(), result.submittedAt(), result.finishedAt());
    }

    /** The end-to-end latency in microseconds, -1 when a time is missing. */
    long endToEndMicros() {
        if (submittedAt == null || finishedAt == null) {
            return -1;
        }
        return Math.max(0, Duration.between(submittedAt, finishedAt).toNanos() / 1_000);
    }
}
