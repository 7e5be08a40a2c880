package dev.kiwo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.TopicLayout;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The layout binds from {@code kiwo.topics.*} the way every service binds it, environment variables included. */
class TopicLayoutBindingTest {

    @Test
    void everyKnobBindsAndUnsetOnesKeepTheirDefaults() {
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(
                "kiwo.topics.dlq-partitions", "5",
                "kiwo.topics.replication-factor", "3",
                "kiwo.topics.retention", "3d",
                "kiwo.topics.dlq-retention", "30d",
                "kiwo.topics.manage", "false")));

        TopicLayout layout = binder.bind("kiwo.topics", TopicLayout.class).orElseThrow(IllegalStateException::new);

        assertThat(layout.dlqPartitions()).isEqualTo(5);
        assertThat(layout.replicationFactor()).isEqualTo((short) 3);
        assertThat(layout.retention()).isEqualTo(Duration.ofDays(3));
        assertThat(layout.dlqRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(layout.minInSyncReplicas()).isEqualTo(2);
        assertThat(layout.lightPartitions()).isEqualTo(12);
        assertThat(binder.bind("kiwo.topics", TopicOwnershipProperties.class).get().manage()).isFalse();
    }
}
