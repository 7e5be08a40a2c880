package dev.kiwo.classifier.routing;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the classifier remembers a routed jobId, so that a repeat (a retried POST with the same
 * Idempotency-Key, a re-produced record) is dropped instead of creating a second job.
 *
 * @param retention how far apart, in record time, two records of one jobId may be for the second to be dropped
 */
@ConfigurationProperties("kiwo.classifier.dedupe")
record DedupeProperties(@DefaultValue("24h") Duration retention) {

    DedupeProperties {
        if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("kiwo.classifier.dedupe.retention must be at least 1m, was "
                    + retention);
        }
    }
}
