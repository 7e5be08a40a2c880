package dev.kiwo.kafka;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who owns kiwo's topics, and how long the start-up check waits for Kafka. Bound next to the topic layout under
 * {@code kiwo.topics}; the defaults are here rather than in each service's application.yaml, as for the layout.
 *
 * @param manage       true: a service creates missing topics with their declared partitions and configs (local
 *                     mode, the demo overlays); false: topics are declared elsewhere (Strimzi {@code KafkaTopic}
 *                     resources) and a missing one fails start-up. Default true
 * @param checkTimeout how long the start-up check waits for each answer from Kafka before it fails start-up,
 *                     default 2 minutes: Kubernetes starts a broker and the services together, and a broker
 *                     still starting must not cost a restart; within the manifests' start-up probes (3 minutes)
 */
@ConfigurationProperties("kiwo.topics")
public record TopicOwnershipProperties(Boolean manage, Duration checkTimeout) {

    public TopicOwnershipProperties {
        manage = manage == null || manage;
        checkTimeout = checkTimeout == null ? Duration.ofMinutes(2) : checkTimeout;
        if (checkTimeout.toMillis() < 1 || checkTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("kiwo.topics.check-timeout must be positive and below 24 days, was "
                    + checkTimeout);
        }
    }
}
