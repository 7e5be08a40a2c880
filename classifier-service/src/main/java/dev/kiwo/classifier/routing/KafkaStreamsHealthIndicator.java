package dev.kiwo.classifier.routing;

import org.apache.kafka.streams.KafkaStreams;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Up while the Streams client is processing or rebalancing; down before it starts and once it has stopped or
 * failed. Part of the readiness group: an instance whose stream threads died must stop looking healthy; whether it
 * must also be restarted is {@link KafkaStreamsLivenessIndicator}'s call.
 */
final class KafkaStreamsHealthIndicator implements HealthIndicator {

    private final StreamsBuilderFactoryBean factory;

    KafkaStreamsHealthIndicator(StreamsBuilderFactoryBean factory) {
        this.factory = factory;
    }

    @Override
    public Health health() {
        KafkaStreams streams = factory.getKafkaStreams();
        return streams == null ? Health.down().withDetail("state", "not started").build() : of(streams.state());
    }

    static Health of(KafkaStreams.State state) {
        Health.Builder health = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING
                ? Health.up()
                : Health.down();
        return health.withDetail("state", state.name()).build();
    }
}
