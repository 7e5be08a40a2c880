package dev.kiwo.kafka;

import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Topics a service declares to {@link KafkaStartupCheck}: kiwo's layout, and any a service adds (the workers'
 * retry topics). Used instead of Spring Kafka's {@code KafkaAdmin.NewTopics}, which KafkaAdmin would act on.
 *
 * @param topics the topics with their partitions, replication factor and configs
 */
public record DeclaredTopics(List<NewTopic> topics) {

    public DeclaredTopics {
        topics = List.copyOf(topics);
    }
}
