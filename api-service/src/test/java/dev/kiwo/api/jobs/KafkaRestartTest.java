package dev.kiwo.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.api.security.Tenant;
import dev.kiwo.model.Job;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.BrokerPerClass;
import dev.kiwo.testsupport.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Backpressure and recovery against a broker that really goes away: stopped, POST answers 503 with Retry-After
 * within the produce timeout, for a job and for a batch; started again on the same ports and data, the same API
 * instance accepts jobs again, the refused batch retried keeps its jobIds, and what it accepted before the outage
 * is still there.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "kiwo.api.produce-timeout=2s",
        "kiwo.api.retry-after=5s",
        "logging.level.org.apache.kafka=ERROR"})
@DirtiesContext
class KafkaRestartTest {

    private static final Duration PRODUCE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration MARGIN = Duration.ofSeconds(2);
    private static final String JOB = "{\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @RegisterExtension
    static final BrokerPerClass BROKER = new BrokerPerClass();

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", BROKER::bootstrapServers);
    }

    @Test
    void answers503WhileTheBrokerIsDownAndAcceptsAgainOnceItIsBack() throws Exception {
        // a broker that has just been formatted may need a moment to elect leaders for the new topics
        String before = accepted(await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> post("before-outage"), response -> response.statusCode() == 202));

        BROKER.stop();
        for (int attempt = 0; attempt < 2; attempt++) {
            long start = System.nanoTime();
            HttpResponse<String> refused = post("during-outage-" + attempt);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(elapsed).isLessThan(PRODUCE_TIMEOUT.plus(MARGIN));
        }
        String batch = IntStream.range(0, 10).mapToObj(line -> JOB.replace("}",
                ",\"idempotencyKey\":\"batch-" + UUID.randomUUID() + "\"}")).collect(Collectors.joining("\n"));
        long start = System.nanoTime();
        HttpResponse<String> refusedBatch = postBatch(batch);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(refusedBatch.statusCode()).isEqualTo(503);
        assertThat(refusedBatch.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(JSON.readTree(refusedBatch.body()).get("acknowledged").asInt()).isZero();
        assertThat(elapsed).isLessThan(PRODUCE_TIMEOUT.plus(MARGIN));

        BROKER.start();
        String after = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> post("after-outage"), response -> response.statusCode() == 202)
                .body();
        HttpResponse<String> retriedBatch = postBatch(batch);

        assertThat(retriedBatch.statusCode()).as(retriedBatch.body()).isEqualTo(200);
        List<String> batchJobIds = retriedBatch.body().lines()
                .map(line -> JSON.readTree(line).get("jobId").stringValue()).toList();
        assertThat(batchJobIds).as("derived from the lines' keys, as in the refused attempt").containsExactlyElementsOf(
                batch.lines().map(line -> IdempotencyKey.jobId(Tenant.DEFAULT, JSON.readTree(line).get("idempotencyKey").stringValue()))
                        .toList());
        assertThat(jobIdsOnJobsIn()).contains(before, JSON.readTree(after).get("jobId").stringValue())
                .containsAll(batchJobIds);
    }

    private HttpResponse<String> post(String idempotencyKey) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs"))
                .header("Content-Type", "application/json")
                .header(IdempotencyKey.HEADER, idempotencyKey + "-" + UUID.randomUUID())
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(JOB))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postBatch(String batch) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs"))
                .header("Content-Type", "application/x-ndjson")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(batch))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String accepted(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body()).get("jobId").stringValue();
    }

    private static Set<String> jobIdsOnJobsIn() {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, Job> consumer = new KafkaConsumer<>(config,
                Topics.JOBS_IN.keySerde().deserializer(), Topics.JOBS_IN.valueSerde().deserializer())) {
            Set<String> jobIds = new HashSet<>();
            TopicReader.readToEnd(TopicReader.fromBeginning(consumer, Topics.JOBS_IN.name()), Duration.ofSeconds(30))
                    .forEach(record -> jobIds.add(record.key()));
            return jobIds;
        }
    }
}
