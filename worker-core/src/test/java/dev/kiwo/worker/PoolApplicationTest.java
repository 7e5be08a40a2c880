package dev.kiwo.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topic;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.testsupport.TopicReader;
import dev.kiwo.worker.config.WorkerProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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

/**
 * What every pool application must do, run against the pool's own main class and application.yaml: a
 * subclass in the pool's package states the pool's expectations. Published in worker-core's test-jar.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"kiwo.worker.cost.scale=0.1", "kiwo.worker.instance=${kiwo.worker.pool}-test",
                "logging.level.org.apache.kafka=warn", "logging.level.kafka=warn", "logging.level.state.change.logger=warn"})
public abstract class PoolApplicationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * One pool's configuration as its application.yaml sets it, and a job of its class with the least
     * processing time it must take at the test's cost scale of 0.1.
     */
    public record Pool(String name, Topic<String, ClassifiedJob> topic, JobClass jobClass, int concurrency,
            String groupId, int maxPollRecords, String maxPollIntervalMs, ClassifiedJob sampleJob,
            long minProcessingMs) {
    }

    private final Pool pool;

    @Autowired
    private WorkerProperties properties;

    @Autowired
    private KafkaListenerEndpointRegistry listeners;

    @Autowired
    private ConsumerFactory<?, ?> consumerFactory;

    @LocalServerPort
    private int port;

    protected PoolApplicationTest(Pool pool) {
        this.pool = pool;
    }

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", KafkaTestBroker::bootstrapServers);
    }

    @Test
    protected void runsAsItsPoolWithItsOwnTuning() {
        assertThat(properties.pool()).isEqualTo(pool.name());
        assertThat(properties.topics()).containsExactly(pool.topic().name());
        MessageListenerContainer container = listeners.getListenerContainer("kiwo-worker");
        assertThat(container).isInstanceOf(ConcurrentMessageListenerContainer.class);
        assertThat(((ConcurrentMessageListenerContainer<?, ?>) container).getConcurrency())
                .isEqualTo(pool.concurrency());
        assertThat(container.getContainerProperties().getTopics()).containsExactly(pool.topic().name());
        assertThat(consumerFactory.getConfigurationProperties())
                .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, pool.groupId())
                .containsEntry(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, pool.maxPollRecords())
                .containsEntry(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, pool.maxPollIntervalMs())
                // Classic with cooperative rebalancing: Kafka 4.2's KIP-848 consumer busy-loops while the broker is away.
                .containsEntry("group.protocol", "classic")
                .containsEntry("partition.assignment.strategy",
                        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        await().atMost(WAIT).untilAsserted(() -> assertThat(container.getAssignedPartitions())
                .isNotEmpty()
                .allSatisfy(partition -> assertThat(partition.topic()).isEqualTo(pool.topic().name())));
    }

    @Test
    protected void processesAJobOfItsClassIntoAResultOfItsPool() {
        ClassifiedJob classified = pool.sampleJob();
        String jobId = classified.job().jobId();
        String correlationId = "corr-" + pool.name();
        ProducerRecord<String, ClassifiedJob> record = new ProducerRecord<>(pool.topic().name(), jobId, classified);
        record.headers().add(KiwoHeaders.CORRELATION_ID, correlationId.getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, ClassifiedJob> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()),
                pool.topic().keySerde().serializer(), pool.topic().valueSerde().serializer())) {
            producer.send(record);
        }

        ConsumerRecord<String, JobResult> result = awaitResult(jobId);

        assertThat(result.value().pool()).isEqualTo(pool.name());
        assertThat(result.value().instance()).isEqualTo(pool.name() + "-test");
        assertThat(result.value().jobClass()).isEqualTo(pool.jobClass());
        assertThat(result.value().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(result.value().processingMs()).isGreaterThanOrEqualTo(pool.minProcessingMs());
        assertThat(new String(result.headers().lastHeader(KiwoHeaders.CORRELATION_ID).value(), StandardCharsets.UTF_8))
                .isEqualTo(correlationId);
    }

    @Test
    protected void reportsLivenessAndReadiness() throws Exception {
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
            TopicReader.fromBeginning(consumer, Topics.JOBS_RESULTS.name());
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
