package dev.kiwo.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.api.web.CorrelationId;
import dev.kiwo.testsupport.BrokerPerClass;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kafka gone after start-up (start-up itself needs it: the topic check): the producer never sent, so it has no
 * metadata and each send waits for the broker. Requests still fail fast with 503, never hang, and health stays UP.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "kiwo.api.produce-timeout=1s",
        "kiwo.api.retry-after=4s",
        "logging.level.org.apache.kafka=ERROR"})
@DirtiesContext
class KafkaUnavailableTest {

    private static final Duration PRODUCE_TIMEOUT = Duration.ofSeconds(1);
    // Generous: the bound under test is the produce timeout; the margin only absorbs a busy machine.
    private static final Duration MARGIN = Duration.ofSeconds(4);
    private static final String JOB = "{\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}";

    @RegisterExtension
    static final BrokerPerClass BROKER = new BrokerPerClass();

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", BROKER::bootstrapServers);
    }

    /** The context is started by now, with the broker up; every test runs with it down. */
    @BeforeEach
    void stopBroker() {
        BROKER.stop();
    }

    @Test
    void answers503ProblemWithinProduceTimeout() throws Exception {
        for (int attempt = 0; attempt < 2; attempt++) {
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(postJob("unavailable-" + attempt),
                    HttpResponse.BodyHandlers.ofString());
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("4");
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.headers().firstValue(CorrelationId.HEADER)).hasValue("unavailable-" + attempt);
            assertThat(response.body()).contains("\"status\":503").contains("\"correlationId\":\"unavailable-");
            assertThat(elapsed).isLessThan(PRODUCE_TIMEOUT.plus(MARGIN));
        }
        String scrape = http.send(HttpRequest.newBuilder(managementUri("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(scrape).as("failed publishes are timed with their error").containsPattern(
                "kiwo_api_publish_seconds_count\\{error=\"JobNotPublishedException\",topic=\"jobs.in\"} [1-9]");
    }

    @Test
    void concurrentRequestsAllEndWithinProduceTimeout() {
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> responses = IntStream.range(0, 8)
                .mapToObj(i -> http.sendAsync(postJob("concurrent-" + i), HttpResponse.BodyHandlers.ofString()))
                .toList();
        CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).join();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(responses).allSatisfy(response -> assertThat(response.join().statusCode()).isEqualTo(503));
        assertThat(elapsed).isLessThan(PRODUCE_TIMEOUT.plus(MARGIN));
    }

    @Test
    void batchAnswers503WithinProduceTimeoutAndSendsNothingAfterTheFirstFailure() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/x-ndjson")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString((JOB + "\n").repeat(20)))
                .build(), HttpResponse.BodyHandlers.ofString());
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("4");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JsonMapper.shared().readTree(response.body());
        assertThat(problem.get("jobs").asInt()).isEqualTo(20);
        assertThat(problem.get("sent").asInt()).as("each send would wait for the broker first").isEqualTo(1);
        assertThat(problem.get("acknowledged").asInt()).isZero();
        assertThat(elapsed).isLessThan(PRODUCE_TIMEOUT.plus(MARGIN));
    }

    @Test
    void staysHealthyAndReadyWhileKafkaIsDown() throws Exception {
        assertThat(http.send(postJob("before-health"), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(503);

        for (String path : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")) {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(managementUri(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as(path).isEqualTo(200);
            assertThat(health.body()).as(path).contains("\"status\":\"UP\"");
        }
    }

    private HttpRequest postJob(String correlationId) {
        return HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/json")
                .header(CorrelationId.HEADER, correlationId)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(JOB))
                .build();
    }

    private URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
