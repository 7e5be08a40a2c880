package dev.kiwo.model;

/**
 * Headers (UTF-8 values) a worker puts on every record it forwards to a retry topic or to {@code jobs.dlq},
 * describing the last failure; the classifier puts {@link #ERROR_CLASS} and {@link #ERROR_MESSAGE} on its dead
 * letters too. They come in addition to Spring's {@code kafka_dlt-*} headers (original
 * topic, partition, offset, exception and stack trace) and {@code retry_topic-attempts} (the number of the
 * next attempt, a 4-byte int).
 */
public final class DeadLetterHeaders {

    /** Class name of the failure, with Spring's listener wrapper unwrapped. */
    public static final String ERROR_CLASS = "kiwo-error-class";

    /** Message of the failure (at most 1,000 characters). */
    public static final String ERROR_MESSAGE = "kiwo-error-message";

    /** Attempts made so far, the failed one included. */
    public static final String ATTEMPTS = "kiwo-attempts";

    /** The job topic the record first came from ({@code jobs.light}, {@code jobs.heavy}). */
    public static final String SOURCE_TOPIC = "kiwo-source-topic";

    /** Partition of the record in the source topic. */
    public static final String SOURCE_PARTITION = "kiwo-source-partition";

    /** Offset of the record in the source topic. */
    public static final String SOURCE_OFFSET = "kiwo-source-offset";

    /** The pool whose worker gave up or forwarded the record. */
    public static final String POOL = "kiwo-pool";

    /** When the failure happened, ISO-8601. */
    public static final String FAILED_AT = "kiwo-failed-at";

    /**
     * Set by the classifier on a dead letter too large to send whole: the original's size in bytes (key, value and
     * headers). Such a dead letter keeps the reason headers and as much of the key and value as fits; its
     * {@code __streams.errors.topic}, {@code partition} and {@code offset} headers point to the original.
     */
    public static final String ORIGINAL_BYTES = "kiwo-original-bytes";

    private DeadLetterHeaders() {
    }
}
