package dev.kiwo.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Partition counts and replication of kiwo's topics. Every service declares all of them at start-up, so
 * whichever starts first creates the same layout. A pool cannot usefully run more consumers than its
 * topic has partitions, so {@code lightPartitions} and {@code heavyPartitions} cap the pools' replicas.
 * A null argument takes the default, so configuration binders may set any subset.
 *
 * @param lightPartitions   partitions of {@code jobs.light}, default 12
 * @param heavyPartitions   partitions of {@code jobs.heavy}, default 12
 * @param partitions        partitions of {@code jobs.in}, {@code jobs.results}, {@code jobs.status} and
 *                          {@code jobs.cancellations}, default 6
 * @param dlqPartitions     partitions of {@code jobs.dlq}, default 3
 * @param replicationFactor replicas of every topic, default 1
 * @param statusRetention   how long a job's status can be looked up: the retention of {@code jobs.status} and
 *                          {@code jobs.cancellations}, and of the API's status view; default 24 hours
 */
public record TopicLayout(Integer lightPartitions, Integer heavyPartitions, Integer partitions,
                          Integer dlqPartitions, Short replicationFactor, Duration statusRetention) {

    public static final TopicLayout DEFAULTS = new TopicLayout(null, null, null, null, null, null);

    public TopicLayout {
        lightPartitions = atLeastOne("lightPartitions", lightPartitions, 12);
        heavyPartitions = atLeastOne("heavyPartitions", heavyPartitions, 12);
        partitions = atLeastOne("partitions", partitions, 6);
        dlqPartitions = atLeastOne("dlqPartitions", dlqPartitions, 3);
        replicationFactor = atLeastOne("replicationFactor", replicationFactor, 1).shortValue();
        statusRetention = statusRetention == null ? Duration.ofHours(24) : statusRetention;
        if (statusRetention.toMinutes() < 1) {
            throw new IllegalArgumentException("statusRetention must be at least 1 minute, was " + statusRetention);
        }
    }

    /** The layout with every other value at its default. */
    public TopicLayout(Integer lightPartitions, Integer heavyPartitions, Integer partitions, Integer dlqPartitions,
                       Short replicationFactor) {
        this(lightPartitions, heavyPartitions, partitions, dlqPartitions, replicationFactor, null);
    }

    /** The topics this layout describes, ready for an admin client or Spring's {@code KafkaAdmin}. */
    public List<NewTopic> newTopics() {
        return List.of(
                topic(Topics.JOBS_IN, partitions),
                topic(Topics.JOBS_LIGHT, lightPartitions),
                topic(Topics.JOBS_HEAVY, heavyPartitions),
                topic(Topics.JOBS_RESULTS, partitions),
                topic(Topics.JOBS_DLQ, dlqPartitions),
                topic(Topics.JOBS_STATUS, partitions).configs(Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(statusRetention.toMillis()))),
                // Compacted to the latest request per job, and deleted after the retention like the status.
                topic(Topics.JOBS_CANCELLATIONS, partitions).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(statusRetention.toMillis()))));
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
