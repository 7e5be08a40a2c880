package dev.kiwo.model;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A unit of work as accepted by the API and carried on {@code jobs.in}. The constructor enforces the
 * contract, so an instance that exists is valid; a record on the wire that breaks it fails to deserialize.
 *
 * @param jobId       UUID string, also the record key on every topic
 * @param name        optional label, at most {@value #MAX_NAME_LENGTH} characters
 * @param fileSizeMb  size of the input in MB, finite and at least 0
 * @param pageCount   pages, at least 0
 * @param imageCount  embedded images, at least 0
 * @param submittedAt when the API accepted the job
 * @param simulate    optional: make the job fail on purpose (demos and tests); null for real jobs
 * @param deadlineSeconds optional: the job fails with {@link JobErrorCode#DEADLINE_EXCEEDED} if it cannot finish
 *                    within this many seconds of {@code submittedAt}; null for no deadline
 * @param tenant      who submitted it, as the API authenticated them; null in records of older APIs
 * @param requestFingerprint fingerprint of the submitted request (without its idempotency key), set when the job
 *                    was submitted with an idempotency key so that a reuse of the key with another body is told
 *                    apart; null otherwise
 */
public record Job(String jobId, String name, double fileSizeMb, int pageCount, int imageCount, Instant submittedAt,
                  Simulation simulate, Integer deadlineSeconds, String tenant, String requestFingerprint) {

    public static final int MAX_NAME_LENGTH = 256;

    public Job {
        Objects.requireNonNull(jobId, "jobId is required");
        UUID.fromString(jobId);
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name must be at most " + MAX_NAME_LENGTH + " characters");
        }
        if (!Double.isFinite(fileSizeMb) || fileSizeMb < 0) {
            throw new IllegalArgumentException("fileSizeMb must be a finite number >= 0, was " + fileSizeMb);
        }
        if (pageCount < 0) {
            throw new IllegalArgumentException("pageCount must be >= 0, was " + pageCount);
        }
        if (imageCount < 0) {
            throw new IllegalArgumentException("imageCount must be >= 0, was " + imageCount);
        }
        Objects.requireNonNull(submittedAt, "submittedAt is required");
        if (deadlineSeconds != null && deadlineSeconds < 1) {
            throw new IllegalArgumentException("deadlineSeconds must be >= 1, was " + deadlineSeconds);
        }
    }

    /** A job without tenant or request fingerprint, as older APIs wrote it. */
    public Job(String jobId, String name, double fileSizeMb, int pageCount, int imageCount, Instant submittedAt,
               Simulation simulate, Integer deadlineSeconds) {
        this(jobId, name, fileSizeMb, pageCount, imageCount, submittedAt, simulate, deadlineSeconds, null, null);
    }

    /** A job without a deadline. */
    public Job(String jobId, String name, double fileSizeMb, int pageCount, int imageCount, Instant submittedAt,
               Simulation simulate) {
        this(jobId, name, fileSizeMb, pageCount, imageCount, submittedAt, simulate, null);
    }

    /** When the job's deadline passes, or null when it has none. */
    public Instant deadline() {
        return deadlineSeconds == null ? null : submittedAt.plusSeconds(deadlineSeconds);
    }

    /** A real job: no simulated failures. */
    public Job(String jobId, String name, double fileSizeMb, int pageCount, int imageCount, Instant submittedAt) {
        this(jobId, name, fileSizeMb, pageCount, imageCount, submittedAt, null, null);
    }
}
