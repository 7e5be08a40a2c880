package dev.kiwo.classifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.BrokerPerClass;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cost model learns from results on a real broker, publishes itself on jobs.routing.model, and continues after a
 * restart on an empty disk: what it learned lives in Kafka, not on the pod. A broker of its own, so that no other
 * test's classifier learns from these results or publishes a model of its own.
 */
class CostModelRestartTest {

    @RegisterExtension
    static final BrokerPerClass BROKER = new BrokerPerClass();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path firstDisk;
    @TempDir
    Path secondDisk;

    private final Random random = new Random(3);
    private final String applicationId = "cost-model-restart-" + UUID.randomUUID();

    @Test
    void learnsFromResultsPublishesTheModelAndContinuesAfterARestartOnAnEmptyDisk() {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            try (ConfigurableApplicationContext first = start(firstDisk)) {
                runJobs(producer, 40);
                await().atMost(Duration.ofSeconds(60)).until(() -> publishedSamples() >= 40);
                assertThat(publishedSamples()).isEqualTo(40);
            }
            try (ConfigurableApplicationContext second = start(secondDisk)) {
                runJobs(producer, 25);
                await().atMost(Duration.ofSeconds(90)).until(() -> publishedSamples() >= 65);
                assertThat(publishedSamples()).isEqualTo(65);
            }
        }
    }

    private ConfigurableApplicationContext start(Path stateDir) {
        return SpringApplication.run(ClassifierApplication.class,
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + BROKER.bootstrapServers(),
                "--spring.kafka.streams.application-id=" + applicationId,
                "--spring.kafka.streams.state-dir=" + stateDir,
                "--kiwo.classifier.model.publish-interval=500ms",
                "--kiwo.classifier.routing-log.interval=0s");
    }

    /** Jobs through the running classifier, then a succeeded result for each as a worker would write it. */
    private void runJobs(KafkaProducer<String, byte[]> producer, int count) {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Job job = new Job(UUID.randomUUID().toString(), "it", random.nextInt(400) / 10.0, random.nextInt(150),
                    random.nextInt(40), Instant.now());
            jobs.add(job);
            producer.send(new ProducerRecord<>(Topics.JOBS_IN.name(), job.jobId(),
                    Topics.JOBS_IN.valueSerde().serializer().serialize(Topics.JOBS_IN.name(), job)));
        }
        producer.flush();
        awaitRouted(jobs);
        for (Job job : jobs) {
            Instant started = Instant.now();
            long ms = Math.round(job.fileSizeMb() * 20 + job.pageCount() * 5 + job.imageCount() * 20);
            JobResult result = new JobResult(job.jobId(), JobClass.LIGHT, JobStatus.SUCCEEDED, "light", "it",
                    job.submittedAt(), started, started, started.plusMillis(ms), ms, null, null, 1);
            producer.send(new ProducerRecord<>(Topics.JOBS_RESULTS.name(), job.jobId(),
                    Topics.JOBS_RESULTS.valueSerde().serializer().serialize(Topics.JOBS_RESULTS.name(), result)));
        }
        producer.flush();
    }

    /** A result is learned only for a job the classifier routed, so the results wait for the routing. */
    private static void awaitRouted(List<Job> jobs) {
        Set<String> waiting = new HashSet<>(jobs.stream().map(Job::jobId).toList());
        try (KafkaConsumer<byte[], byte[]> consumer = readCommitted("cost-model-restart")) {
            consumer.subscribe(List.of(Topics.JOBS_LIGHT.name(), Topics.JOBS_HEAVY.name()));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200))
                        .forEach(record -> waiting.remove(new String(record.key(), StandardCharsets.UTF_8)));
                return waiting.isEmpty();
            });
        }
    }

    /** The samples of the latest state on jobs.routing.model, or -1 while there is none. */
    private static long publishedSamples() {
        long samples = -1;
        try (KafkaConsumer<byte[], byte[]> consumer = readCommitted("cost-model-published")) {
            consumer.subscribe(List.of(Topics.JOBS_ROUTING_MODEL.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    samples = JSON.readTree(record.value()).path("samples").asLong(-1);
                }
            }
        }
        return samples;
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> readCommitted(String groupPrefix) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, groupPrefix + "-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
