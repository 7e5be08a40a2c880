package dev.kiwo.classifier.routing;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How often a failed stream thread is replaced before the classifier gives up and lets Kubernetes restart it
 * (see {@link StreamThreadFailurePolicy}).
 *
 * @param maxReplacements stream threads replaced within {@code window} before the client shuts down; 0 shuts it
 *                        down at the first failure
 * @param window          the sliding window the replacements are counted in
 */
@ConfigurationProperties("kiwo.classifier.stream-threads")
record StreamThreadProperties(@DefaultValue("3") int maxReplacements, @DefaultValue("10m") Duration window) {

    StreamThreadProperties {
        if (maxReplacements < 0) {
            throw new IllegalArgumentException("kiwo.classifier.stream-threads.max-replacements must be >= 0, was "
                    + maxReplacements);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("kiwo.classifier.stream-threads.window must be positive, was "
                    + window);
        }
    }
}
