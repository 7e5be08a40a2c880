package dev.kiwo.model;

import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Partition counts and replication of kiwo's topics. Every service declares all of them at start-up, so
 * whichever starts first creates the same layout. A pool cannot usefully run more consumers than its
 * topic has partitions, so {@code lightPartitions} and {@code heavyPartitions} cap the pools' replicas.
 * A null argument takes the default, so configuration binders may set any subset.
 *
 * @param lightPartitions   partitions of {@code jobs.light}, default 12
 * @param heavyPartitions   partitions of {@code jobs.heavy}, default 12
 * @param partitions        partitions of {@code jobs.in} and {@code jobs.results}, default 6
 * @param dlqPartitions     partitions of {@code jobs.dlq}, default 3
 * @param replicationFactor replicas of every topic, default 1
 */
public record TopicLayout(Integer lightPartitions, Integer heavyPartitions, Integer partitions,
                          Integer dlqPartitions, Short replicationFactor) {

    public static final TopicLayout DEFAULTS = new TopicLayout(null, null, null, null, null);

    public TopicLayout {
        lightPartitions = atLeastOne("lightPartitions", lightPartitions, 12);
        heavyPartitions = atLeastOne("heavyPartitions", heavyPartitions, 12);
        partitions = atLeastOne("partitions", partitions, 6);
        dlqPartitions = atLeastOne("dlqPartitions", dlqPartitions, 3);
        replicationFactor = atLeastOne("replicationFactor", replicationFactor, 1).shortValue();
    }

    /** The topics this layout describes, ready for an admin client or Spring's {@code KafkaAdmin}. */
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

    private static Integer atLeastOne(String name, Number value, int fallback) {
        int v = value == null ? fallback : value.intValue();
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + v);
        }
        return v;
    }
}
