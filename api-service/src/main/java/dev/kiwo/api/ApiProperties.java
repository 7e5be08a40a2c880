package dev.kiwo.api;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the HTTP front door.
 *
 * @param maxRequestSize largest accepted request body; larger bodies get 413, with or without Content-Length
 * @param produceTimeout upper bound for handing a job to Kafka, including waiting for the broker's ack;
 *                       the producer's own timeouts are derived from it
 * @param retryAfter     what the Retry-After header of a 503 suggests to clients
 */
@ConfigurationProperties("kiwo.api")
public record ApiProperties(
        @DefaultValue("64KB") DataSize maxRequestSize,
        @DefaultValue("2s") Duration produceTimeout,
        @DefaultValue("3s") Duration retryAfter) {

    public ApiProperties {
        if (maxRequestSize.toBytes() < 1) {
            throw new IllegalArgumentException("kiwo.api.max-request-size must be positive");
        }
        if (produceTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("kiwo.api.produce-timeout must be at least 100ms");
        }
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("kiwo.api.retry-after must not be negative");
        }
    }
}
