package dev.kiwo.model;

/** Kafka record headers kiwo sets. Values are UTF-8 strings. */
public final class KiwoHeaders {

    /** Travels from the API request to the result; the HTTP header of the same meaning is X-Correlation-Id. */
    public static final String CORRELATION_ID = "kiwo-correlation-id";

    /** On a routed record: the {@code version} of the routing configuration the classifier decided with. */
    public static final String ROUTING_CONFIG_VERSION = "kiwo-routing-config-version";

    private KiwoHeaders() {
    }
}
