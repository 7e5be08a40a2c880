package dev.kiwo.api.web;

/** The correlation id a request carries from HTTP into Kafka headers. */
public final class CorrelationId {

    public static final String HEADER = "X-Correlation-Id";

    /** Request attribute holding the id this request runs under: the client's if acceptable, else a new one. */
    public static final String ATTRIBUTE = "dev.kiwo.api.correlationId";

    public static final int MAX_LENGTH = 128;

    /**
     * Logging context key, printed by {@code logging.pattern.correlation} like in the other services; also set
     * where a request's work continues on another thread.
     */
    public static final String MDC_KEY = "correlationId";

    private CorrelationId() {
    }

    /** Visible ASCII only, so the value is safe to echo in a header and to log. */
    public static boolean isAcceptable(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        return value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }
}
