package dev.kiwo.model;

import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Partition counts and replication of kiwo's topics. Every service declares all of them at start-up, so
 * whichever starts first creates the same layout. A pool cannot usefully run more consumers than its
 * topic has partitions, so {@code lightPartitions} and {@code heavyPartitions} cap the pools' replicas.
 *
 * @param lightPartitions   partitions of {@code jobs.light}
 * @param heavyPartitions   partitions of {@code jobs.heavy}
 * @param partitions        partitions of {@code jobs.in} and {@code jobs.results}
 * @param dlqPartitions     partitions of {@code jobs.dlq}
 * @param replicationFactor replicas of every topic
 */
public record TopicLayout(int lightPartitions, int heavyPartitions, int partitions, int dlqPartitions,
                          short replicationFactor) {

    public static final TopicLayout DEFAULTS = new TopicLayout(12, 12, 6, 3, (short) 1);

    public TopicLayout {
        if (lightPartitions < 1 || heavyPartitions < 1 || partitions < 1 || dlqPartitions < 1) {
            throw new IllegalArgumentException("every topic needs at least one partition");
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be at least 1");
        }
    }

    public List<NewTopic> newTopics() {
        return List.of(
                topic(Topics.JOBS_IN, partitions),
                topic(Topics.JOBS_LIGHT, lightPartitions),
                topic(Topics.JOBS_HEAVY, heavyPartitions),
                topic(Topics.JOBS_RESULTS, partitions),
                topic(Topics.JOBS_DLQ, dlqPartitions));
    }

    private NewTopic topic(Topic<?, ?> topic, int count) {
        return new NewTopic(topic.name(), count, replicationFactor);
    }
}
