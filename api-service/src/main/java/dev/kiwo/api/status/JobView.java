package dev.kiwo.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * A job's status as the API answers it ({@code GET /jobs/{jobId}}, each server-sent {@code status} event, a
 * waited-for {@code POST}). Fields not known yet are left out.
 *
 * @param jobId             the job
 * @param status            where it is; SUCCEEDED, FAILED and CANCELLED are terminal
 * @param jobClass          the class the classifier gave it
 * @param pool              the pool running or having run it
 * @param attempt           the attempt running, retrying or last made; 0 when none started
 * @param submittedAt       when the API accepted it
 * @param classifiedAt      when the classifier routed it
 * @param startedAt         when its current or last attempt started
 * @param finishedAt        when it ended
 * @param processingMs      how long its last attempt ran, once it ended
 * @param deadlineAt        when its {@code deadlineSeconds} run out
 * @param cancelRequestedAt when a client asked to cancel it
 * @param error             why it failed, was cancelled or is retrying
 * @param links             where to read it and follow it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String jobId, JobStatus status, JobClass jobClass, String pool, Integer attempt,
                      Instant submittedAt, Instant classifiedAt, Instant startedAt, Instant finishedAt,
                      Long processingMs, Instant deadlineAt, Instant cancelRequestedAt, Error error, Links links) {

    /**
     * @param code    {@code PROCESSING_FAILED}, {@code DEADLINE_EXCEEDED} or {@code CANCELLED}; null while retrying
     * @param message what happened
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(JobErrorCode code, String message) {
    }

    /**
     * @param self   this job's status
     * @param events its status as a server-sent event stream
     */
    public record Links(String self, String events) {
    }

    static JobView of(UUID id, TrackedJob job) {
        String jobId = id.toString();
        Error error = job.errorCode() == null && job.error() == null ? null : new Error(job.errorCode(), job.error());
        return new JobView(jobId, job.status(), job.jobClass(), job.pool(), job.attempt(),
                TrackedJob.instant(job.submittedAt()), TrackedJob.instant(job.classifiedAt()),
                TrackedJob.instant(job.startedAt()), TrackedJob.instant(job.finishedAt()),
                job.terminal() ? job.processingMs() : null, TrackedJob.instant(job.deadlineAt()),
                TrackedJob.instant(job.cancelRequestedAt()), error,
                new Links("/jobs/" + jobId, "/jobs/" + jobId + "/events"));
    }
}
