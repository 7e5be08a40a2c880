package dev.kiwo.api.jobs;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import dev.kiwo.api.Sha256;
import dev.kiwo.model.Job;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.hibernate.validator.constraints.Range;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.util.StdConverter;

/**
 * A job as a client submits it: the body of {@code POST /jobs}, or one line of a batch. {@link JobRequestReader}
 * binds it with Jackson, which checks the JSON types, and validates it with the constraints below. A JSON null is
 * refused except where a property is {@code Nulls.SKIP}, where it means the same as leaving the property out.
 * Whole numbers are {@link BigInteger}, so a number of any size is reported against its range, not as an overflow.
 *
 * @param name            optional label
 * @param fileSizeMb      size of the input in MB, finite and at least 0
 * @param pageCount       pages, 0 to {@value Integer#MAX_VALUE}
 * @param imageCount      embedded images, 0 to {@value Integer#MAX_VALUE}
 * @param simulate        optional: make the job fail on purpose (demos and tests)
 * @param deadlineSeconds optional: seconds from submission within which the job must finish, 1 to
 *                        {@value #MAX_DEADLINE_SECONDS}
 * @param idempotencyKey  optional, the same as the {@code Idempotency-Key} header: the jobId derives from it, so a
 *                        retried submission (or batch line) keeps its jobId
 */
record JobRequest(
        @JsonSetter(nulls = Nulls.SKIP)
        @Size(max = Job.MAX_NAME_LENGTH, message = "must be at most {max} characters")
        String name,

        @JsonDeserialize(converter = Finite.class)
        @NotNull(message = REQUIRED) @PositiveOrZero(message = NOT_NEGATIVE)
        Double fileSizeMb,

        @NotNull(message = REQUIRED) @PositiveOrZero(message = NOT_NEGATIVE)
        @Max(value = Integer.MAX_VALUE, message = AT_MOST)
        BigInteger pageCount,

        @NotNull(message = REQUIRED) @PositiveOrZero(message = NOT_NEGATIVE)
        @Max(value = Integer.MAX_VALUE, message = AT_MOST)
        BigInteger imageCount,

        @JsonSetter(nulls = Nulls.SKIP) @Valid
        SimulationRequest simulate,

        @JsonSetter(nulls = Nulls.SKIP)
        @Range(min = 1, max = MAX_DEADLINE_SECONDS, message = "must be an integer from {min} to {max}")
        BigInteger deadlineSeconds,

        @JsonSetter(nulls = Nulls.SKIP)
        @Pattern(regexp = IdempotencyKey.PATTERN, message = IdempotencyKey.REQUIREMENT)
        String idempotencyKey) {

    /**
     * A day: as long as a job's status can be looked up by default ({@code kiwo.topics.status-retention}) and the
     * classifier remembers its jobId; a client could not follow a job to a later deadline.
     */
    static final int MAX_DEADLINE_SECONDS = 86_400;

    static final String REQUIRED = "is required";
    static final String NOT_NEGATIVE = "must be >= 0";
    static final String AT_MOST = "must be at most {value}";

    /** Writes the fingerprinted fields; numbers as bound, so each value has one form. */
    private static final JsonMapper CANONICAL = JsonMapper.shared();

    /**
     * The job to publish; call only on a request that passed validation.
     *
     * @param requestFingerprint the request's {@link #requestFingerprint()} when it came with an idempotency key, else null
     */
    Job toJob(String jobId, Instant submittedAt, String tenant, String requestFingerprint) {
        return new Job(jobId, name, fileSizeMb, pageCount.intValueExact(), imageCount.intValueExact(), submittedAt,
                simulate == null ? null : simulate.toSimulation(),
                deadlineSeconds == null ? null : deadlineSeconds.intValueExact(), tenant, requestFingerprint);
    }

    /**
     * What the request asks for, without its idempotency key: the first 64 bits of a SHA-256, as 16 hex digits,
     * over the fields as a JSON array in declaration order. Values are as bound, so {@code 3} and {@code 3.0}, or
     * a field left out and one sent as null, give the same fingerprint; the order of the properties does not count.
     */
    String requestFingerprint() {
        byte[] canonical = CANONICAL.writeValueAsBytes(Arrays.asList(name, fileSizeMb, pageCount, imageCount,
                simulate == null ? null : simulate.failures(), simulate == null ? null : simulate.permanent(),
                deadlineSeconds));
        return HexFormat.of().formatHex(Sha256.digest(canonical), 0, 8);
    }

    /**
     * JSON has no NaN or Infinity, yet the tokens are read so that they are reported against their field; so is a
     * number too large for a double, which reads as Infinity.
     */
    static final class Finite extends StdConverter<Double, Double> {
        @Override
        public Double convert(Double value) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("must be a finite number, was " + value);
            }
            return value;
        }
    }
}
