package dev.kiwo.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A non-terminal change of a job's status on {@code jobs.status}: {@code QUEUED} from the classifier,
 * {@code RUNNING} and {@code RETRYING} from the workers. Terminal changes are the job's {@link JobResult}.
 *
 * @param jobId    the job
 * @param status   QUEUED, RUNNING or RETRYING
 * @param at       when the change happened
 * @param jobClass the class the job was routed as
 * @param pool     the pool running or retrying it; null for QUEUED
 * @param attempt  the attempt that started (RUNNING) or failed (RETRYING); null for QUEUED
 * @param message  why the attempt failed (RETRYING); else null
 */
public record JobStatusEvent(String jobId, JobStatus status, Instant at, JobClass jobClass, String pool,
                             Integer attempt, String message) {

    public JobStatusEvent {
        Objects.requireNonNull(jobId, "jobId is required");
        Objects.requireNonNull(status, "status is required");
        Objects.requireNonNull(at, "at is required");
        if (status.terminal() || status == JobStatus.ACCEPTED) {
            throw new IllegalArgumentException(status + " is not carried on jobs.status");
        }
    }
}
