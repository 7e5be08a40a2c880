package dev.kiwo.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A client's request to cancel a job, on the compacted {@code jobs.cancellations}. Workers honour it: a job
 * not yet started never starts, a running one stops at its next safe point; either way its one result is
 * {@code CANCELLED}. A job that finishes first keeps its result.
 *
 * @param jobId       the job
 * @param requestedAt when the API recorded the request
 */
public record JobCancellation(String jobId, Instant requestedAt) {

    public JobCancellation {
        Objects.requireNonNull(jobId, "jobId is required");
        Objects.requireNonNull(requestedAt, "requestedAt is required");
    }
}
