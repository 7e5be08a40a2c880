package dev.kiwo.api.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.api.SharedBrokerProperties;
import dev.kiwo.model.Job;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.testsupport.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Per-tenant rate limits over real HTTP on a real broker, with tenants from API keys: a tenant past its request
 * burst gets 429 with Retry-After while another tenant still gets through, and a batch takes a job token per
 * accepted line, all or none, before anything is published. Limits are small here: 3 requests and 10 jobs at
 * once, refilled at 1 per second.
 */
// Keyed posts look their key up in the status view first; on a busy machine its 2 s default can pass.
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "kiwo.api.status.catch-up-timeout=10s")
class RateLimitIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ACME_KEY = "acme-key-0123456789abcdef";
    private static final String GLOBEX_KEY = "globex-key-0123456789abcdef";
    private static final String INITECH_KEY = "initech-key-0123456789abcdef";
    private static final String HOOLI_KEY = "hooli-key-0123456789abcdef";
    private static final String JOB = "{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0}";

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        SharedBrokerProperties.registerWithApiKeys(registry, "acme=" + ACME_KEY + "\nglobex=" + GLOBEX_KEY
                + "\ninitech=" + INITECH_KEY + "\nhooli=" + HOOLI_KEY + "\n");
        registry.add("kiwo.api.limits.requests-per-second", () -> "1");
        registry.add("kiwo.api.limits.requests-burst", () -> "3");
        registry.add("kiwo.api.limits.jobs-per-second", () -> "1");
        registry.add("kiwo.api.limits.jobs-burst", () -> "10");
        registry.add("kiwo.api.max-batch-lines", () -> "10");
    }

    @Test
    void aTenantPastItsBurstGets429WithRetryAfterWhileAnotherTenantPasses() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> limited = null;
        // The burst is 3; one more token comes per second, so soon one is refused (30: a slow machine refills some).
        for (int i = 0; i < 30 && limited == null; i++) {
            HttpResponse<String> response = post(ACME_KEY, "application/json", JOB);
            statuses.add(response.statusCode());
            if (response.statusCode() == 429) {
                limited = response;
            }
        }

        assertThat(statuses.subList(0, 3)).containsOnly(202);
        assertThat(limited).as("a 429 among %s", statuses).isNotNull();
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(limited.body());
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("limit").stringValue()).isEqualTo("requests");
        assertThat(problem.get("detail").stringValue()).contains("1 requests per second");
        assertThat(problem.get("correlationId").stringValue())
                .isEqualTo(limited.headers().firstValue("X-Correlation-Id").orElseThrow());
        // Status reads count against the same requests bucket: a token may have come back meanwhile, not two.
        List<Integer> reads = new ArrayList<>();
        for (int i = 0; i < 3 && !reads.contains(429); i++) {
            reads.add(send(ACME_KEY, HttpRequest.newBuilder(uri("/jobs/" + UUID.randomUUID()))).statusCode());
        }
        assertThat(reads).as("status reads right after the 429").contains(429);

        assertThat(post(GLOBEX_KEY, "application/json", JOB).statusCode()).isEqualTo(202);
    }

    @Test
    void aBatchTakesAJobTokenPerAcceptedLineAndIsRefusedWholeBeforePublishing() throws Exception {
        String marker = UUID.randomUUID().toString();
        // 8 valid lines and a bad one: 8 of the 10 job tokens.
        HttpResponse<String> first = post(INITECH_KEY, "application/x-ndjson", batch(marker + "-first", 8) + "{}\n");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body().lines().filter(line -> line.contains("ACCEPTED"))).hasSize(8);

        // 8 more jobs find about 2 tokens: the whole batch is refused, until about 6 more have come.
        HttpResponse<String> second = post(INITECH_KEY, "application/x-ndjson", batch(marker + "-second", 8));

        assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
        assertThat(second.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(second.body()).get("limit").stringValue()).isEqualTo("jobs");
        assertThat(Long.parseLong(second.headers().firstValue("Retry-After").orElseThrow())).isBetween(4L, 6L);
        List<String> names = jobsInNames(marker);
        assertThat(names).hasSize(8).allMatch(name -> name.startsWith(marker + "-first"));
    }

    @Test
    void repeatsUnderTheSameKeysPublishNothingAndTakeNoJobToken() throws Exception {
        String marker = UUID.randomUUID().toString();
        StringBuilder keyed = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            keyed.append(JOB.replace("{", "{\"name\":\"" + marker + "-" + i + "\",\"idempotencyKey\":\"" + marker
                    + "-" + i + "\",")).append('\n');
        }
        // 10 jobs take all 10 job tokens; one more comes per second.
        HttpResponse<String> first = post(HOOLI_KEY, "application/x-ndjson", keyed.toString());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body().lines().filter(line -> line.contains("ACCEPTED"))).hasSize(10);

        // The same batch again publishes nothing, so it needs no token: had it taken 10 (within 10 s of the first),
        // it would be a 429.
        HttpResponse<String> again = post(HOOLI_KEY, "application/x-ndjson", keyed.toString());
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());

        // So does one job of it, sent on its own under its key in the header.
        HttpResponse<String> single = send(HOOLI_KEY, HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/json").header("Idempotency-Key", marker + "-0")
                .POST(HttpRequest.BodyPublishers.ofString(JOB.replace("{", "{\"name\":\"" + marker + "-0\","))));
        assertThat(single.statusCode()).as(single.body()).isEqualTo(202);
        assertThat(JSON.readTree(single.body()).get("jobId").stringValue())
                .isEqualTo(JSON.readTree(first.body().lines().findFirst().orElseThrow()).get("jobId").stringValue());

        assertThat(jobsInNames(marker)).as("published once").hasSize(10);
    }

    private static String batch(String name, int lines) {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            batch.append(JOB.replace("{", "{\"name\":\"" + name + "-" + i + "\",")).append('\n');
        }
        return batch.toString();
    }

    /** The names on {@code jobs.in} that start with {@code marker}. */
    private static List<String> jobsInNames(String marker) {
        try (KafkaConsumer<String, Job> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()),
                Topics.JOBS_IN.keySerde().deserializer(), Topics.JOBS_IN.valueSerde().deserializer())) {
            List<String> names = new ArrayList<>();
            TopicReader.readToEnd(TopicReader.fromBeginning(consumer, Topics.JOBS_IN.name()), Duration.ofSeconds(10))
                    .forEach(record -> {
                        String name = record.value().name();
                        if (name != null && name.startsWith(marker)) {
                            names.add(name);
                        }
                    });
            return Collections.unmodifiableList(names);
        }
    }

    private HttpResponse<String> post(String key, String contentType, String body) throws Exception {
        return send(key, HttpRequest.newBuilder(uri("/jobs")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> send(String key, HttpRequest.Builder request) throws Exception {
        return http.send(request.header("X-API-Key", key).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
