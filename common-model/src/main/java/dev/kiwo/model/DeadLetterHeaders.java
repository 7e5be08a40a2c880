package dev.kiwo.model;

/**
 * Headers (UTF-8 values) a worker puts on every record it forwards to a retry topic or to {@code jobs.dlq},
 * describing the last failure. They come in addition to Spring's {@code kafka_dlt-*} headers (original
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

    private DeadLetterHeaders() {
    }
}
