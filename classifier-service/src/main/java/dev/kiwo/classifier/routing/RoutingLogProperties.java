package dev.kiwo.classifier.routing;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The routing log at INFO: per interval, one line counting the decisions per class and one sampled decision of
 * each class. The default lives in application.yaml, so a missing interval means the configuration was lost.
 *
 * @param interval how often; 0 turns the routing log off
 */
@ConfigurationProperties("kiwo.classifier.routing-log")
record RoutingLogProperties(Duration interval) {

    RoutingLogProperties {
        if (interval == null) {
            throw new IllegalArgumentException(
                    "kiwo.classifier.routing-log.interval is required (0 turns the routing log off)");
        }
        // more often than once a second, the log would be back to the noise and cost of a line per record
        if (!interval.isZero() && interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(
                    "kiwo.classifier.routing-log.interval must be 0 (off) or at least 1s, was " + interval);
        }
    }
}
