package dev.kiwo.classifier.routing;

import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Down when the Streams client can no longer recover by itself, so that the liveness probe restarts the pod:
 * the client failed ({@code PENDING_ERROR}, {@code ERROR}), stopped while the application still runs it
 * ({@code NOT_RUNNING}), or runs fewer live stream threads than {@code num.stream.threads}. Up before the client
 * starts, while it starts or rebalances and while the application shuts it down: none of these is stuck, and
 * readiness ({@link KafkaStreamsHealthIndicator}) already keeps traffic away.
 */
final class KafkaStreamsLivenessIndicator implements HealthIndicator {

    private final StreamsBuilderFactoryBean factory;

    KafkaStreamsLivenessIndicator(StreamsBuilderFactoryBean factory) {
        this.factory = factory;
    }

    @Override
    public Health health() {
        KafkaStreams streams = factory.getKafkaStreams();
        if (streams == null) {
            return Health.up().withDetail("state", "not started").build();
        }
        KafkaStreams.State state = streams.state();
        int expectedThreads = expectedThreads(factory.getStreamsConfiguration());
        int liveThreads = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING
                ? liveThreads(streams)
                : expectedThreads;
        return of(state, factory.isRunning(), liveThreads, expectedThreads);
    }

    /**
     * @param state           the client's state
     * @param started         whether the application has started the client and is not stopping it
     * @param liveThreads     stream threads neither shutting down nor dead
     * @param expectedThreads {@code num.stream.threads}
     */
    static Health of(KafkaStreams.State state, boolean started, int liveThreads, int expectedThreads) {
        boolean alive = switch (state) {
            case CREATED, PENDING_SHUTDOWN -> true;
            case REBALANCING, RUNNING -> liveThreads >= expectedThreads;
            case NOT_RUNNING -> !started;
            case PENDING_ERROR, ERROR -> false;
        };
        return (alive ? Health.up() : Health.down())
                .withDetail("state", state.name())
                .withDetail("liveStreamThreads", liveThreads)
                .withDetail("expectedStreamThreads", expectedThreads)
                .build();
    }

    private static int liveThreads(KafkaStreams streams) {
        return (int) streams.metadataForLocalThreads().stream()
                .map(ThreadMetadata::threadState)
                .filter(threadState -> !threadState.equals("PENDING_SHUTDOWN") && !threadState.equals("DEAD"))
                .count();
    }

    private static int expectedThreads(Properties configuration) {
        Object threads = configuration.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG);
        return threads == null ? 1 : Integer.parseInt(threads.toString());
    }
}
