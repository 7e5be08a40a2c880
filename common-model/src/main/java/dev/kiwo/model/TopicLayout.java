package dev.kiwo.model;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Partition counts, replication and topic configs of kiwo's topics, declared here once. Every service
 * declares all of them at start-up, so whichever starts first creates the same layout, and every service
 * checks that the partition counts on the broker are these. A pool cannot usefully run more consumers than
 * its topic has partitions, so {@code lightPartitions} and {@code heavyPartitions} cap the pools' replicas.
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
 * @param retention         retention of the job topics ({@code jobs.in}, {@code jobs.light}, {@code jobs.heavy},
 *                          {@code jobs.results} and the workers' retry topics); default 7 days, Kafka's default
 * @param dlqRetention      retention of {@code jobs.dlq}, long enough to inspect and replay; default 14 days
 * @param minInSyncReplicas {@code min.insync.replicas} of every topic: with {@code acks=all}, how many replicas
 *                          hold a record before it counts as written; default the smaller of 2 and
 *                          {@code replicationFactor}, at most {@code replicationFactor}
 * <p>{@code jobs.routing} has one partition, whatever the layout: it holds one key, and compaction only.
 */
public record TopicLayout(Integer lightPartitions, Integer heavyPartitions, Integer partitions,
                          Integer dlqPartitions, Short replicationFactor, Duration statusRetention,
                          Duration retention, Duration dlqRetention, Integer minInSyncReplicas) {

    public static final TopicLayout DEFAULTS = of(null, null, null, null, null);

    public TopicLayout {
        lightPartitions = atLeastOne("lightPartitions", lightPartitions, 12);
        heavyPartitions = atLeastOne("heavyPartitions", heavyPartitions, 12);
        partitions = atLeastOne("partitions", partitions, 6);
        dlqPartitions = atLeastOne("dlqPartitions", dlqPartitions, 3);
        replicationFactor = atLeastOne("replicationFactor", replicationFactor, 1).shortValue();
        statusRetention = statusRetention == null ? Duration.ofHours(24) : statusRetention;
        retention = retention == null ? Duration.ofDays(7) : retention;
        dlqRetention = dlqRetention == null ? Duration.ofDays(14) : dlqRetention;
        for (Map.Entry<String, Duration> kept : Map.of("statusRetention", statusRetention, "retention", retention,
                "dlqRetention", dlqRetention).entrySet()) {
            if (kept.getValue().toMinutes() < 1) {
                throw new IllegalArgumentException(kept.getKey() + " must be at least 1 minute, was " + kept.getValue());
            }
        }
        minInSyncReplicas = atLeastOne("minInSyncReplicas", minInSyncReplicas, Math.min(2, replicationFactor));
        if (minInSyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("minInSyncReplicas (" + minInSyncReplicas
                    + ") must not exceed replicationFactor (" + replicationFactor + "): no write could succeed");
        }
    }

    /**
     * The layout with these partition counts and replication, and every other value at its default. A factory,
     * not a constructor: configuration binding needs the canonical constructor to be the only public one.
     */
    public static TopicLayout of(Integer lightPartitions, Integer heavyPartitions, Integer partitions,
                                 Integer dlqPartitions, Short replicationFactor) {
        return new TopicLayout(lightPartitions, heavyPartitions, partitions, dlqPartitions, replicationFactor, null,
                null, null, null);
    }

    /** The topics this layout describes, with their configs, ready for an admin client. */
    public List<NewTopic> newTopics() {
        return List.of(
                jobTopic(Topics.JOBS_IN.name(), partitions),
                jobTopic(Topics.JOBS_LIGHT.name(), lightPartitions),
                jobTopic(Topics.JOBS_HEAVY.name(), heavyPartitions),
                jobTopic(Topics.JOBS_RESULTS.name(), partitions),
                topic(Topics.JOBS_DLQ.name(), dlqPartitions, TopicConfig.CLEANUP_POLICY_DELETE, dlqRetention),
                topic(Topics.JOBS_STATUS.name(), partitions, TopicConfig.CLEANUP_POLICY_DELETE, statusRetention),
                // Compacted to the latest request per job, and deleted after the retention like the status.
                topic(Topics.JOBS_CANCELLATIONS.name(), partitions,
                        TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE, statusRetention),
                // The latest routing configuration must outlive any retention: compacted, never deleted.
                topic(Topics.JOBS_ROUTING.name(), 1, TopicConfig.CLEANUP_POLICY_COMPACT, retention),
                // One writer and one key: what the model learned stays, whatever the retention.
                topic(Topics.JOBS_ROUTING_MODEL.name(), 1, TopicConfig.CLEANUP_POLICY_COMPACT, retention));
    }

    /**
     * A topic that carries jobs, with the configs of {@code jobs.in} and the pools' topics: for topics a service
     * adds to the layout, such as the workers' retry topics.
     */
    public NewTopic jobTopic(String name, int count) {
        return topic(name, count, TopicConfig.CLEANUP_POLICY_DELETE, retention);
    }

    private NewTopic topic(String name, int count, String cleanupPolicy, Duration kept) {
        Map<String, String> configs = new HashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy);
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(kept.toMillis()));
        configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInSyncReplicas));
        return new NewTopic(name, count, replicationFactor).configs(Map.copyOf(configs));
    }

    private static Integer atLeastOne(String name, Number value, int fallback) {
        int v = value == null ? fallback : value.intValue();
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + v);
        }
        return v;
    }
}
