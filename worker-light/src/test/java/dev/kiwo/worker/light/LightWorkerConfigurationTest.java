package dev.kiwo.worker.light;

import dev.kiwo.worker.PoolConfigurationTest;
import java.util.Map;

/** The light pool's effective configuration, key by key, as its application.yaml alone set it. */
class LightWorkerConfigurationTest extends PoolConfigurationTest {

    LightWorkerConfigurationTest() {
        super(Map.ofEntries(
                Map.entry("spring.application.name", "worker-light"),
                Map.entry("spring.lifecycle.timeout-per-shutdown-phase", "10s"),
                Map.entry("spring.kafka.bootstrap-servers", "localhost:9092"),
                Map.entry("spring.kafka.producer.properties[transaction.timeout.ms]", "30000"),
                Map.entry("spring.kafka.consumer.group-id", "kiwo-worker-light"),
                Map.entry("spring.kafka.consumer.auto-offset-reset", "earliest"),
                Map.entry("spring.kafka.consumer.isolation-level", "read-committed"),
                Map.entry("spring.kafka.consumer.max-poll-records", "10"),
                Map.entry("spring.kafka.consumer.properties[group.protocol]", "classic"),
                Map.entry("spring.kafka.consumer.properties[partition.assignment.strategy]",
                        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"),
                Map.entry("spring.kafka.consumer.properties[max.poll.interval.ms]", "60000"),
                Map.entry("spring.kafka.template.observation-enabled", "true"),
                Map.entry("spring.kafka.listener.observation-enabled", "true"),
                Map.entry("spring.kafka.listener.ack-mode", "record"),
                Map.entry("spring.kafka.listener.poll-timeout", "1s"),
                Map.entry("spring.kafka.listener.immediate-stop", "true"),
                Map.entry("spring.kafka.listener.concurrency", "4"),
                Map.entry("server.port", "8082"),
                Map.entry("management.tracing.sampling.probability", "1.0"),
                Map.entry("management.endpoints.web.exposure.include", "health,info,prometheus"),
                Map.entry("management.endpoint.health.probes.enabled", "true"),
                Map.entry("management.endpoint.health.group.liveness.include", "livenessState,kafkaListeners"),
                Map.entry("kiwo.worker.pool", "light"),
                Map.entry("kiwo.worker.topics", "jobs.light"),
                Map.entry("kiwo.worker.result-timeout", "10s"),
                Map.entry("kiwo.worker.cost.scale", "1.0"),
                Map.entry("kiwo.worker.cost.ms-per-mb", "20"),
                Map.entry("kiwo.worker.cost.ms-per-page", "5"),
                Map.entry("kiwo.worker.cost.ms-per-image", "20"),
                Map.entry("kiwo.worker.cost.max", "30s"),
                Map.entry("kiwo.worker.retry.attempts", "3"),
                Map.entry("kiwo.worker.retry.delays", "1s,5s"),
                Map.entry("kiwo.worker.retry.concurrency", "1"),
                Map.entry("logging.pattern.correlation", "[%X{traceId:-},%X{spanId:-},%X{correlationId:-}] "),
                Map.entry("logging.level.org.springframework.kafka.listener.DeadLetterRecordManager", "error")));
    }
}
