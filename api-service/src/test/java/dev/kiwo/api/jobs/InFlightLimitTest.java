package dev.kiwo.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.testsupport.BrokerPerClass;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bound on jobs sent and not yet acknowledged ({@code kiwo.api.max-in-flight-jobs}, 3 here), against a broker
 * that really stops answering: the producer knows {@code jobs.in}, so sends do not block and their records wait
 * in its buffer until the produce timeout. While three wait, a fourth job and a batch are refused at once with
 * 503 and Retry-After, without being sent; once the waiting ones have their answer the permits are back, and
 * with the broker back a full batch goes through.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "kiwo.api.produce-timeout=8s",
        "kiwo.api.retry-after=4s",
        "kiwo.api.max-in-flight-jobs=3",
        "kiwo.api.max-batch-lines=3",
        "logging.level.org.apache.kafka=ERROR"})
@DirtiesContext
class InFlightLimitTest {

    private static final String JOB = "{\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @RegisterExtension
    static final BrokerPerClass BROKER = new BrokerPerClass();

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", BROKER::bootstrapServers);
    }

    @Test
    void pastTheBoundJobsAndBatchesGet503AtOnceAndThePermitsComeBack() throws Exception {
        // A fresh broker may need a moment to elect leaders; afterwards the producer has jobs.in's metadata.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> send("application/json", JOB).join(), response -> response.statusCode() == 202);

        BROKER.stop();
        List<CompletableFuture<HttpResponse<String>>> waiting = IntStream.range(0, 3)
                .mapToObj(i -> send("application/json", JOB)).toList();
        await().atMost(Duration.ofSeconds(5)).until(this::inFlight, n -> n == 3.0);

        long start = System.nanoTime();
        HttpResponse<String> single = send("application/json", JOB).join();
        HttpResponse<String> batch = send("application/x-ndjson", JOB + "\n" + JOB + "\n").join();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(elapsed).as("refused without waiting for Kafka").isLessThan(Duration.ofSeconds(3));
        for (HttpResponse<String> refused : List.of(single, batch)) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("4");
            assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(JSON.readTree(refused.body()).get("reason").stringValue())
                    .isEqualTo("more than 3 jobs awaiting Kafka's acknowledgement on this replica");
        }
        JsonNode batchProblem = JSON.readTree(batch.body());
        assertThat(batchProblem.get("sent").asInt()).isZero();
        assertThat(inFlight()).isEqualTo(3.0);

        // The waiting jobs fail at the produce timeout, which gives their permits back.
        for (CompletableFuture<HttpResponse<String>> response : waiting) {
            assertThat(response.join().statusCode()).isEqualTo(503);
        }
        await().atMost(Duration.ofSeconds(10)).until(this::inFlight, n -> n == 0.0);

        BROKER.start();
        HttpResponse<String> full = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> send("application/x-ndjson", JOB + "\n" + JOB + "\n" + JOB + "\n").join(),
                        response -> response.statusCode() == 200);
        assertThat(full.body().lines()).hasSize(3).allMatch(line -> line.contains("ACCEPTED"));
        assertThat(inFlight()).isZero();
    }

    private double inFlight() {
        return meters.get("kiwo.api.publish.in.flight").gauge().value();
    }

    private CompletableFuture<HttpResponse<String>> send(String contentType, String body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs"))
                .header("Content-Type", contentType)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
