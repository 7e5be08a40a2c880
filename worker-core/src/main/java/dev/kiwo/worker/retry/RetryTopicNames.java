package dev.kiwo.worker.retry;

import dev.kiwo.model.Topics;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.springframework.kafka.config.KafkaListenerEndpoint;
import org.springframework.kafka.retrytopic.DestinationTopic;
import org.springframework.kafka.retrytopic.RetryTopicNamesProviderFactory;

/**
 * Names the retry topics after their delay tier ({@code jobs.light.retry-1s}) and sends every pool's dead
 * letters to the one shared {@code jobs.dlq} instead of Spring's per-topic {@code -dlt}.
 */
public final class RetryTopicNames implements RetryTopicNamesProviderFactory {

    /** The retry topic of a job topic for one delay tier. */
    public static String retryTopic(String topic, Duration delay) {
        return topic + ".retry-" + label(delay);
    }

    /** {@code 1m}, {@code 5s} or {@code 250ms}: the shortest exact form. */
    static String label(Duration delay) {
        long ms = delay.toMillis();
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    @Override
    public RetryTopicNamesProvider createRetryTopicNamesProvider(DestinationTopic.Properties properties) {
        if (properties.isMainEndpoint()) {
            return new Names(topic -> topic, "");
        }
        if (properties.isDltTopic()) {
            return new Names(topic -> Topics.JOBS_DLQ.name(), "-dlq");
        }
        String label = label(Duration.ofMillis(properties.delay()));
        return new Names(topic -> topic + ".retry-" + label, "-retry-" + label);
    }

    private record Names(UnaryOperator<String> topicName, String idSuffix)
            implements RetryTopicNamesProvider {

        @Override
        public String getEndpointId(KafkaListenerEndpoint endpoint) {
            return suffixed(endpoint.getId());
        }

        // Every container of a pool stays in the pool's consumer group (spring.kafka.consumer.group-id).
        @Override
        public String getGroupId(KafkaListenerEndpoint endpoint) {
            return endpoint.getGroupId();
        }

        @Override
        public String getClientIdPrefix(KafkaListenerEndpoint endpoint) {
            return suffixed(endpoint.getClientIdPrefix());
        }

        @Override
        public String getGroup(KafkaListenerEndpoint endpoint) {
            return suffixed(endpoint.getGroup());
        }

        @Override
        public String getTopicName(String topic) {
            return topicName.apply(topic);
        }

        private String suffixed(String name) {
            return name == null || name.isEmpty() ? name : name + idSuffix;
        }
    }
}
