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
                "jobs.status", 6, "jobs.cancellations", 6));
        assertThat(TopicLayout.DEFAULTS.newTopics()).allMatch(t -> t.replicationFactor() == 1);
    }

    @Test
    void unsetValuesKeepTheirDefaults() {
        TopicLayout layout = new TopicLayout(null, 24, null, null, (short) 3);

        assertThat(partitionsByTopic(layout)).containsEntry("jobs.heavy", 24).containsEntry("jobs.light", 12);
        assertThat(layout.newTopics()).allMatch(t -> t.replicationFactor() == 3);
    }

    @Test
    void rejectsTopicsWithoutPartitions() {
        assertThatThrownBy(() -> new TopicLayout(0, null, null, null, null)).hasMessageContaining("lightPartitions");
        assertThatThrownBy(() -> new TopicLayout(null, null, null, null, (short) 0))
                .hasMessageContaining("replicationFactor");
    }

    @Test
    void statusTopicsKeepTheStatusRetentionAndCancellationsAreCompacted() {
        TopicLayout layout = new TopicLayout(null, null, null, null, null, java.time.Duration.ofHours(2));

        Map<String, Map<String, String>> configs = layout.newTopics().stream()
                .collect(Collectors.toMap(NewTopic::name, t -> t.configs() == null ? Map.of() : t.configs()));
        assertThat(configs.get("jobs.status")).containsEntry("retention.ms", "7200000");
        assertThat(configs.get("jobs.cancellations")).containsEntry("retention.ms", "7200000")
                .containsEntry("cleanup.policy", "compact,delete");
        assertThatThrownBy(() -> new TopicLayout(null, null, null, null, null, java.time.Duration.ofSeconds(5)))
                .hasMessageContaining("statusRetention");
    }

    private static Map<String, Integer> partitionsByTopic(TopicLayout layout) {
        return layout.newTopics().stream().collect(Collectors.toMap(NewTopic::name, NewTopic::numPartitions));
    }
}
