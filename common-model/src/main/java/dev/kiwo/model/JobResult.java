package dev.kiwo.model;

import java.time.Instant;

/**
 * The terminal record of a job on {@code jobs.results}.
 *
 * @param jobId        the job
 * @param jobClass     the class it was processed as
 * @param status       SUCCEEDED or FAILED
 * @param pool         the worker pool that processed it ({@code light} or {@code heavy})
 * @param instance     the worker instance (host name or pod name)
 * @param submittedAt  when the API accepted it
 * @param classifiedAt when the classifier routed it
 * @param startedAt    when a worker started it
 * @param finishedAt   when the worker finished it
 * @param processingMs finishedAt minus startedAt
 * @param error        why it failed, null when it succeeded
 */
public record JobResult(
        String jobId,
        JobClass jobClass,
        JobStatus status,
        String pool,
        String instance,
        Instant submittedAt,
        Instant classifiedAt,
        Instant startedAt,
        Instant finishedAt,
        long processingMs,
        String error) {
}
