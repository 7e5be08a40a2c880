package dev.kiwo.model;

import java.time.Instant;

/**
 * The terminal record of a job on {@code jobs.results}: exactly one per accepted job.
 *
 * @param jobId        the job
 * @param jobClass     the class it was processed as
 * @param status       SUCCEEDED, FAILED or CANCELLED
 * @param pool         the worker pool that ended it ({@code light} or {@code heavy})
 * @param instance     the worker instance (host name or pod name)
 * @param submittedAt  when the API accepted it
 * @param classifiedAt when the classifier routed it
 * @param startedAt    when a worker started its last attempt (or took it, if it never ran)
 * @param finishedAt   when the worker ended it
 * @param processingMs finishedAt minus startedAt
 * @param error        why it did not succeed, null when it succeeded
 * @param errorCode    the kind of {@code error}; null when it succeeded and in results of older workers
 * @param attempts     attempts started, 0 when it never ran; null in results of older workers
 * @param tenant       who submitted the job, copied from it; null for jobs of older APIs and results of older
 *                     workers
 * @param cpuMs        CPU time the successful attempt used, on the worker thread; unlike {@code processingMs} it
 *                     does not grow when the pool's CPU is contended, so it is what the job costs. Null when it did
 *                     not succeed and in results of older workers
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
        String error,
        JobErrorCode errorCode,
        Integer attempts,
        String tenant,
        Long cpuMs) {

    /** A result without the CPU time, as a job that did not succeed has it and older workers wrote it. */
    public JobResult(String jobId, JobClass jobClass, JobStatus status, String pool, String instance,
                     Instant submittedAt, Instant classifiedAt, Instant startedAt, Instant finishedAt,
                     long processingMs, String error, JobErrorCode errorCode, Integer attempts, String tenant) {
        this(jobId, jobClass, status, pool, instance, submittedAt, classifiedAt, startedAt, finishedAt, processingMs,
                error, errorCode, attempts, tenant, null);
    }

    /** A result without a tenant, as older workers wrote it. */
    public JobResult(String jobId, JobClass jobClass, JobStatus status, String pool, String instance,
                     Instant submittedAt, Instant classifiedAt, Instant startedAt, Instant finishedAt,
                     long processingMs, String error, JobErrorCode errorCode, Integer attempts) {
        this(jobId, jobClass, status, pool, instance, submittedAt, classifiedAt, startedAt, finishedAt, processingMs,
                error, errorCode, attempts, null, null);
    }
}
