package dev.kiwo.worker.heavy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.worker.WorkerProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"kiwo.worker.cost.scale=0.1", "kiwo.worker.instance=heavy-test",
                "logging.level.org.apache.kafka=warn", "logging.level.kafka=warn", "logging.level.state.change.logger=warn"})
class HeavyWorkerApplicationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", KafkaTestBroker::bootstrapServers);
    }

    @Autowired
    private WorkerProperties properties;

    @Autowired
    private KafkaListenerEndpointRegistry listeners;

    @Autowired
    private ConsumerFactory<?, ?> consumerFactory;

    @LocalServerPort
    private int port;

    @Test
    void runsAsTheHeavyPoolWithItsOwnTuning() {
        assertThat(properties.pool()).isEqualTo("heavy");
        assertThat(properties.topics()).containsExactly(Topics.JOBS_HEAVY.name());
        MessageListenerContainer container = listeners.getListenerContainer("kiwo-worker");
        assertThat(container).isInstanceOf(ConcurrentMessageListenerContainer.class);
        assertThat(((ConcurrentMessageListenerContainer<?, ?>) container).getConcurrency()).isEqualTo(1);
        assertThat(container.getContainerProperties().getTopics()).containsExactly(Topics.JOBS_HEAVY.name());
        assertThat(consumerFactory.getConfigurationProperties())
                .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "kiwo-worker-heavy")
                .containsEntry(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1)
                .containsEntry(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "600000")
                .containsEntry("group.protocol", "consumer");
        await().atMost(WAIT).untilAsserted(() -> assertThat(container.getAssignedPartitions())
                .isNotEmpty()
                .allSatisfy(partition -> assertThat(partition.topic()).isEqualTo(Topics.JOBS_HEAVY.name())));
    }

    @Test
    void processesAHeavyJobIntoAHeavyPoolResult() {
        Job job = new Job(UUID.randomUUID().toString(), "scan.pdf", 60, 0, 0, Instant.now());
        ClassifiedJob classified = new ClassifiedJob(job, JobClass.HEAVY, "fileSizeMb>=50", Instant.now());
        ProducerRecord<String, ClassifiedJob> record =
                new ProducerRecord<>(Topics.JOBS_HEAVY.name(), job.jobId(), classified);
        record.headers().add(KiwoHeaders.CORRELATION_ID, "corr-heavy".getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, ClassifiedJob> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()),
                Topics.JOBS_HEAVY.keySerde().serializer(), Topics.JOBS_HEAVY.valueSerde().serializer())) {
            producer.send(record);
        }

        ConsumerRecord<String, JobResult> result = awaitResult(job.jobId());

        assertThat(result.value().pool()).isEqualTo("heavy");
        assertThat(result.value().instance()).isEqualTo("heavy-test");
        assertThat(result.value().jobClass()).isEqualTo(JobClass.HEAVY);
        assertThat(result.value().status()).isEqualTo(JobStatus.SUCCEEDED);
        // 0.1 * 60 MB * 20 = 120 ms of CPU, so at least 120 ms of wall time.
        assertThat(result.value().processingMs()).isGreaterThanOrEqualTo(120);
        assertThat(new String(result.headers().lastHeader(KiwoHeaders.CORRELATION_ID).value(), StandardCharsets.UTF_8))
                .isEqualTo("corr-heavy");
    }

    @Test
    void reportsLivenessAndReadiness() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String probe : List.of("liveness", "readiness")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/actuator/health/" + probe)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("UP");
        }
    }

    private static ConsumerRecord<String, JobResult> awaitResult(String jobId) {
        AtomicReference<ConsumerRecord<String, JobResult>> found = new AtomicReference<>();
        try (KafkaConsumer<String, JobResult> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()),
                Topics.JOBS_RESULTS.keySerde().deserializer(), Topics.JOBS_RESULTS.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOBS_RESULTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(WAIT).pollInSameThread().untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (jobId.equals(record.key())) {
                        found.set(record);
                    }
                });
                assertThat(found.get()).isNotNull();
            });
        }
        return found.get();
    }
}
