package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

class KafkaStreamsLivenessIndicatorTest {

    @Test
    void isDownOnlyWhenTheClientFailedOrStoppedWhileStarted() {
        Map<KafkaStreams.State, Status> started = statusByState(true, 1);
        Map<KafkaStreams.State, Status> notStartedOrStopping = statusByState(false, 1);

        assertThat(started).isEqualTo(Map.of(
                KafkaStreams.State.CREATED, Status.UP,
                KafkaStreams.State.REBALANCING, Status.UP,
                KafkaStreams.State.RUNNING, Status.UP,
                KafkaStreams.State.PENDING_SHUTDOWN, Status.UP,
                KafkaStreams.State.NOT_RUNNING, Status.DOWN,
                KafkaStreams.State.PENDING_ERROR, Status.DOWN,
                KafkaStreams.State.ERROR, Status.DOWN));
        assertThat(notStartedOrStopping).containsEntry(KafkaStreams.State.NOT_RUNNING, Status.UP)
                .containsEntry(KafkaStreams.State.ERROR, Status.DOWN);
    }

    @Test
    void isDownWhenRunningWithFewerLiveStreamThreadsThanConfigured() {
        assertThat(KafkaStreamsLivenessIndicator.of(KafkaStreams.State.RUNNING, true, 1, 2).getStatus())
                .isEqualTo(Status.DOWN);
        assertThat(KafkaStreamsLivenessIndicator.of(KafkaStreams.State.REBALANCING, true, 1, 2).getStatus())
                .isEqualTo(Status.DOWN);
        assertThat(KafkaStreamsLivenessIndicator.of(KafkaStreams.State.RUNNING, true, 2, 2).getDetails())
                .containsEntry("liveStreamThreads", 2).containsEntry("expectedStreamThreads", 2);
    }

    private static Map<KafkaStreams.State, Status> statusByState(boolean started, int liveThreads) {
        return Arrays.stream(KafkaStreams.State.values()).collect(Collectors.toMap(state -> state,
                state -> KafkaStreamsLivenessIndicator.of(state, started, liveThreads, 1).getStatus()));
    }
}
