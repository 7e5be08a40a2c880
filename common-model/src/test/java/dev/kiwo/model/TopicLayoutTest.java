package dev.kiwo.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicLayoutTest {

    @Test
    void defaultsGiveThePoolsTwelvePartitionsAndTheDeadLettersThree() {
        assertThat(partitionsByTopic(TopicLayout.DEFAULTS)).isEqualTo(Map.of(
                "jobs.in", 6, "jobs.light", 12, "jobs.heavy", 12, "jobs.results", 6, "jobs.dlq", 3,
                "jobs.status", 6, "jobs.cancellations", 6, "jobs.routing", 1, "jobs.routing.model", 1));
        assertThat(TopicLayout.DEFAULTS.newTopics()).allMatch(t -> t.replicationFactor() == 1);
    }

    @Test
    void unsetValuesKeepTheirDefaults() {
        TopicLayout layout = TopicLayout.of(null, 24, null, null, (short) 3);

        assertThat(partitionsByTopic(layout)).containsEntry("jobs.heavy", 24).containsEntry("jobs.light", 12);
        assertThat(layout.newTopics()).allMatch(t -> t.replicationFactor() == 3);
    }

    @Test
    void rejectsTopicsWithoutPartitions() {
        assertThatThrownBy(() -> TopicLayout.of(0, null, null, null, null)).hasMessageContaining("lightPartitions");
        assertThatThrownBy(() -> TopicLayout.of(null, null, null, null, (short) 0))
                .hasMessageContaining("replicationFactor");
    }

    @Test
    void statusTopicsKeepTheStatusRetentionAndCancellationsAreCompacted() {
        TopicLayout layout = new TopicLayout(null, null, null, null, null, java.time.Duration.ofHours(2), null, null,
                null);

        Map<String, Map<String, String>> configs = layout.newTopics().stream()
                .collect(Collectors.toMap(NewTopic::name, t -> t.configs() == null ? Map.of() : t.configs()));
        assertThat(configs.get("jobs.status")).containsEntry("retention.ms", "7200000");
        assertThat(configs.get("jobs.cancellations")).containsEntry("retention.ms", "7200000")
                .containsEntry("cleanup.policy", "compact,delete");
        assertThatThrownBy(() -> new TopicLayout(null, null, null, null, null, java.time.Duration.ofSeconds(5), null,
                null, null))
                .hasMessageContaining("statusRetention");
    }

    @Test
    void everyTopicDeclaresItsRetentionCleanupPolicyAndMinInSyncReplicas() {
        Map<String, Map<String, String>> configs = configsByTopic(TopicLayout.DEFAULTS);

        for (String jobTopic : java.util.List.of("jobs.in", "jobs.light", "jobs.heavy", "jobs.results")) {
            assertThat(configs.get(jobTopic)).as(jobTopic).containsEntry("retention.ms", "604800000")
                    .containsEntry("cleanup.policy", "delete").containsEntry("min.insync.replicas", "1");
        }
        assertThat(configs.get("jobs.dlq")).containsEntry("retention.ms", "1209600000")
                .containsEntry("cleanup.policy", "delete");
        assertThat(configs.get("jobs.status")).containsEntry("retention.ms", "86400000");
        assertThat(configs.get("jobs.routing")).containsEntry("cleanup.policy", "compact");
        assertThat(configs.get("jobs.routing.model")).containsEntry("cleanup.policy", "compact");
        assertThat(TopicLayout.DEFAULTS.newTopics()).filteredOn(t -> t.name().equals("jobs.routing"))
                .singleElement().satisfies(t -> assertThat(t.numPartitions()).isEqualTo(1));
        assertThat(TopicLayout.DEFAULTS.jobTopic("jobs.light.retry-1s", 12).configs())
                .isEqualTo(configs.get("jobs.light"));
    }

    @Test
    void minInSyncReplicasFollowsTheReplicationFactorUpToTwo() {
        assertThat(TopicLayout.of(null, null, null, null, (short) 3).minInSyncReplicas()).isEqualTo(2);
        assertThat(TopicLayout.of(null, null, null, null, (short) 2).minInSyncReplicas()).isEqualTo(2);
        assertThat(configsByTopic(TopicLayout.of(null, null, null, null, (short) 3)).values())
                .allSatisfy(c -> assertThat(c).containsEntry("min.insync.replicas", "2"));
        assertThatThrownBy(() -> new TopicLayout(null, null, null, null, (short) 2, null, null, null, 3))
                .hasMessageContaining("minInSyncReplicas (3) must not exceed replicationFactor (2)");
        assertThatThrownBy(() -> new TopicLayout(null, null, null, null, null, null, java.time.Duration.ZERO, null,
                null)).hasMessageContaining("retention must be at least 1 minute");
    }

    private static Map<String, Map<String, String>> configsByTopic(TopicLayout layout) {
        return layout.newTopics().stream().collect(Collectors.toMap(NewTopic::name, NewTopic::configs));
    }

    private static Map<String, Integer> partitionsByTopic(TopicLayout layout) {
        return layout.newTopics().stream().collect(Collectors.toMap(NewTopic::name, NewTopic::numPartitions));
    }
}
