package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

class KafkaStreamsHealthIndicatorTest {

    @Test
    void isUpOnlyWhileStreamsRunsOrRebalances() {
        Map<KafkaStreams.State, Status> statusByState = Arrays.stream(KafkaStreams.State.values())
                .collect(Collectors.toMap(state -> state, state -> KafkaStreamsHealthIndicator.of(state).getStatus()));

        assertThat(statusByState).isEqualTo(Map.of(
                KafkaStreams.State.CREATED, Status.DOWN,
                KafkaStreams.State.REBALANCING, Status.UP,
                KafkaStreams.State.RUNNING, Status.UP,
                KafkaStreams.State.PENDING_SHUTDOWN, Status.DOWN,
                KafkaStreams.State.NOT_RUNNING, Status.DOWN,
                KafkaStreams.State.PENDING_ERROR, Status.DOWN,
                KafkaStreams.State.ERROR, Status.DOWN));
    }
}
