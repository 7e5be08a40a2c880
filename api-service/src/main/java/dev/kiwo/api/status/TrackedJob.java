package dev.kiwo.api.status;

import dev.kiwo.api.security.Tenant;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobCancellation;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.JobStatusEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * What the status view knows of one job. Immutable; every record read makes a new one through {@link #apply}.
 * Times are epoch microseconds ({@link #NONE} when unknown) rather than {@code Instant}s, and pools are shared
 * strings, so a job costs about one object besides its key: the view holds a million of them per replica. The
 * tenant is a shared string too, and the request fingerprint of an idempotency key a {@code long}.
 *
 * <p>Records of different topics can be read in any order (a result before the job's {@code jobs.in} record
 * when the view starts), so merging only moves a job forward: a terminal status is final, and otherwise a
 * later attempt, or a later stage of the same attempt, wins.
 */
record TrackedJob(JobStatus status, JobClass jobClass, String pool, int attempt, long submittedAt,
                  long classifiedAt, long startedAt, long finishedAt, long processingMs, long deadlineAt,
                  long cancelRequestedAt, JobErrorCode errorCode, String error, long lastChangeAt, String tenant,
                  long requestFingerprintBits) {

    static final long NONE = Long.MIN_VALUE;

    static final TrackedJob UNKNOWN = new TrackedJob(null, null, null, 0, NONE, NONE, NONE, NONE, -1, NONE, NONE,
            null, null, NONE, null, NONE);

    /** The job as submitted: accepted, unless something later was read first. */
    TrackedJob apply(Job job) {
        long submitted = micros(job.submittedAt());
        // A repeat under the same Idempotency-Key keeps the first submission's times and fingerprint, as the job
        // that runs does. A result read first knew the times and tenant already, not the fingerprint.
        if (submittedAt != NONE) {
            boolean nothingNew = (requestFingerprintBits != NONE || job.requestFingerprint() == null)
                    && (tenant != null || job.tenant() == null);
            return nothingNew ? this
                    : new TrackedJob(status, jobClass, pool, attempt, submittedAt, classifiedAt, startedAt,
                            finishedAt, processingMs, deadlineAt, cancelRequestedAt, errorCode, error, lastChangeAt,
                            tenant == null ? tenant(job.tenant()) : tenant,
                            requestFingerprintBits == NONE ? bits(job.requestFingerprint())
                                    : requestFingerprintBits);
        }
        return new TrackedJob(status == null ? JobStatus.ACCEPTED : status, jobClass, pool, attempt, submitted,
                classifiedAt, startedAt, finishedAt, processingMs, micros(job.deadline()), cancelRequestedAt,
                errorCode, error, Math.max(lastChangeAt, submitted), tenant(job.tenant()),
                bits(job.requestFingerprint()));
    }

    TrackedJob apply(JobStatusEvent event) {
        long at = micros(event.at());
        if (status != null && status.terminal()) {
            return this;
        }
        int eventAttempt = event.attempt() == null ? 0 : event.attempt();
        return switch (event.status()) {
            case QUEUED -> status == null || status == JobStatus.ACCEPTED
                    ? with(JobStatus.QUEUED, event.jobClass(), pool, attempt, at, startedAt, error, at)
                    : with(status, jobClass == null ? event.jobClass() : jobClass, pool, attempt, at, startedAt,
                            error, lastChangeAt);
            case RUNNING -> eventAttempt > attempt || (eventAttempt == attempt && before(JobStatus.RUNNING))
                    ? with(JobStatus.RUNNING, event.jobClass(), pool(event.pool()), eventAttempt, classifiedAt, at,
                            null, at)
                    : this;
            case RETRYING -> eventAttempt > attempt || (eventAttempt == attempt && status != JobStatus.RETRYING)
                    ? with(JobStatus.RETRYING, event.jobClass(), pool(event.pool()), eventAttempt, classifiedAt,
                            startedAt, event.message(), at)
                    : this;
            default -> this;
        };
    }

    TrackedJob apply(JobResult result) {
        if (status != null && status.terminal()) {
            return this;
        }
        long finished = micros(result.finishedAt());
        int attempts = result.attempts() == null ? attempt : result.attempts();
        JobErrorCode code = result.errorCode() != null || result.status() == JobStatus.SUCCEEDED
                ? result.errorCode()
                : JobErrorCode.PROCESSING_FAILED;
        return new TrackedJob(result.status(), result.jobClass(), pool(result.pool()), attempts,
                submittedAt != NONE ? submittedAt : micros(result.submittedAt()), micros(result.classifiedAt()),
                micros(result.startedAt()), finished, result.processingMs(), deadlineAt, cancelRequestedAt, code,
                result.error(), Math.max(lastChangeAt, finished), tenant == null ? tenant(result.tenant()) : tenant,
                requestFingerprintBits);
    }

    TrackedJob apply(JobCancellation cancellation) {
        if (cancelRequestedAt != NONE) {
            return this;
        }
        return new TrackedJob(status, jobClass, pool, attempt, submittedAt, classifiedAt, startedAt, finishedAt,
                processingMs, deadlineAt, micros(cancellation.requestedAt()), errorCode, error,
                Math.max(lastChangeAt, micros(cancellation.requestedAt())), tenant, requestFingerprintBits);
    }

    /** Whether the view has seen anything that says the job exists (a cancellation alone does not). */
    boolean known() {
        return status != null;
    }

    /**
     * Whether the view has read whom the job belongs to: its {@code jobs.in} record or its result. Until then a
     * status event alone shows the job exists, not whose it is.
     */
    boolean owned() {
        return status != null && tenant != null;
    }

    /** Whether {@code asker} may see the job; jobs recorded without a tenant belong to {@link Tenant#DEFAULT}. */
    boolean visibleTo(String asker) {
        return (tenant == null ? Tenant.DEFAULT : tenant).equals(asker);
    }

    /** The fingerprint of the request that submitted the job under an idempotency key, or null. */
    String requestFingerprint() {
        return requestFingerprintBits == NONE ? null : HexFormat.of().toHexDigits(requestFingerprintBits);
    }

    boolean terminal() {
        return status != null && status.terminal();
    }

    /** Whether this job and {@code other} would look the same to a client following its status. */
    boolean sameStage(TrackedJob other) {
        return other != null && status == other.status && attempt == other.attempt;
    }

    static Instant instant(long micros) {
        return micros == NONE ? null : Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    static long micros(Instant instant) {
        return instant == null ? NONE : ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    private boolean before(JobStatus next) {
        return status == null || status.compareTo(next) < 0;
    }

    private TrackedJob with(JobStatus newStatus, JobClass newClass, String newPool, int newAttempt, long classified,
                            long started, String newError, long changedAt) {
        return new TrackedJob(newStatus, newClass == null ? jobClass : newClass, newPool, newAttempt, submittedAt,
                classified, started, finishedAt, processingMs, deadlineAt, cancelRequestedAt, errorCode, newError,
                Math.max(lastChangeAt, changedAt), tenant, requestFingerprintBits);
    }

    /** Tenants are few; share their names instead of keeping a copy per job. */
    private static String tenant(String name) {
        return name == null ? null : name.intern();
    }

    /** The job's 16 hex digits as a long; anything else (a record of another writer) as none. */
    private static long bits(String fingerprint) {
        if (fingerprint == null || fingerprint.length() != 16) {
            return NONE;
        }
        try {
            return HexFormat.fromHexDigitsToLong(fingerprint);
        } catch (IllegalArgumentException e) {
            return NONE;
        }
    }

    /** Pools are few; share their names instead of keeping a copy per job. */
    private static String pool(String name) {
        return name == null ? null : name.intern();
    }
}
