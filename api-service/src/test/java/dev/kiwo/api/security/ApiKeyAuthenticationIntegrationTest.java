package dev.kiwo.api.security;

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
 * Mode {@code api-key} over real HTTP on a real broker: who may submit and read, tenants kept apart, idempotency
 * keys scoped by tenant and bound to their request, and {@code simulate} refused by default.
 */
// Keyed posts look their key up in the status view first; on a busy machine its 2 s default can pass.
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "kiwo.api.status.catch-up-timeout=10s")
class ApiKeyAuthenticationIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ACME_KEY = "acme-key-0123456789abcdef";
    private static final String GLOBEX_KEY = "globex-key-0123456789abcdef";
    private static final String JOB = "{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0}";

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        SharedBrokerProperties.registerWithApiKeys(registry,
                "# tenant=key\nacme=" + ACME_KEY + "\n\nglobex=" + GLOBEX_KEY + "\n");
    }

    @Test
    void aRequestWithoutAKeyIs401ProblemWithAChallenge() throws Exception {
        HttpResponse<String> response = post(null, JOB, Map.of());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue(SecurityProblems.API_KEY_CHALLENGE);
        assertProblem(response, 401);
        assertThat(JSON.readTree(response.body()).get("detail").stringValue()).contains("X-API-Key");
        assertThat(get(null, "/jobs/" + UUID.randomUUID()).statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongKeyIs401Problem() throws Exception {
        HttpResponse<String> response = post("not-a-key-of-anyone-at-all", JOB, Map.of());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue(SecurityProblems.API_KEY_CHALLENGE);
        assertProblem(response, 401);
        assertThat(JSON.readTree(response.body()).get("detail").stringValue()).isEqualTo("The API key is not valid");
    }

    @Test
    void aUrlTheFirewallRefusesIs400Problem() throws Exception {
        HttpResponse<String> response = get(ACME_KEY, "/jobs/" + UUID.randomUUID() + ";jsessionid=1");

        assertThat(response.statusCode()).isEqualTo(400);
        assertProblem(response, 400);
        assertThat(JSON.readTree(response.body()).get("errors").get(0).get("field").stringValue()).isEqualTo("url");
    }

    @Test
    void theContractIsOpenWithoutAKey() throws Exception {
        assertThat(get(null, "/openapi.yaml").statusCode()).isEqualTo(200);
    }

    @Test
    void aTenantReadsAndCancelsItsOwnJobsOnlyAnotherTenantsAnswer404() throws Exception {
        HttpResponse<String> accepted = post(ACME_KEY, JOB, Map.of());
        assertThat(accepted.statusCode()).isEqualTo(202);
        String jobId = JSON.readTree(accepted.body()).get("jobId").stringValue();

        assertThat(get(ACME_KEY, "/jobs/" + jobId).statusCode()).isEqualTo(200);
        HttpResponse<String> foreign = get(GLOBEX_KEY, "/jobs/" + jobId);
        String unknownId = UUID.randomUUID().toString();
        HttpResponse<String> unknown = get(GLOBEX_KEY, "/jobs/" + unknownId);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(foreign.body()).get("title")).isEqualTo(JSON.readTree(unknown.body()).get("title"));
        assertThat(JSON.readTree(foreign.body()).get("detail").stringValue())
                .isEqualTo(JSON.readTree(unknown.body()).get("detail").stringValue().replace(unknownId, jobId));
        assertThat(get(GLOBEX_KEY, "/jobs/" + jobId + "/events").statusCode()).isEqualTo(404);
        assertThat(send(GLOBEX_KEY, HttpRequest.newBuilder(uri("/jobs/" + jobId)).DELETE()).statusCode())
                .isEqualTo(404);
        assertThat(get(ACME_KEY, "/jobs/" + jobId).body()).doesNotContain("cancelRequestedAt");

        assertThat(send(ACME_KEY, HttpRequest.newBuilder(uri("/jobs/" + jobId)).DELETE()).statusCode())
                .isEqualTo(202);
        assertThat(jobsIn(jobId)).singleElement().satisfies(job -> assertThat(job.tenant()).isEqualTo("acme"));
    }

    @Test
    void theSameKeyOfTwoTenantsNamesTwoJobs() throws Exception {
        Map<String, String> key = Map.of("Idempotency-Key", "order-1-" + UUID.randomUUID());

        HttpResponse<String> acme = post(ACME_KEY, JOB, key);
        HttpResponse<String> globex = post(GLOBEX_KEY, JOB, key);

        assertThat(acme.statusCode()).isEqualTo(202);
        assertThat(globex.statusCode()).isEqualTo(202);
        String acmeJob = JSON.readTree(acme.body()).get("jobId").stringValue();
        String globexJob = JSON.readTree(globex.body()).get("jobId").stringValue();
        assertThat(acmeJob).isNotEqualTo(globexJob);
        assertThat(get(GLOBEX_KEY, "/jobs/" + globexJob).statusCode()).isEqualTo(200);
        assertThat(get(GLOBEX_KEY, "/jobs/" + acmeJob).statusCode()).isEqualTo(404);
    }

    @Test
    void aReusedKeyWithTheSameBodyAnswersTheFirstJobWithoutPublishingItAgain() throws Exception {
        Map<String, String> key = Map.of("Idempotency-Key", "order-2-" + UUID.randomUUID());
        HttpResponse<String> first = post(ACME_KEY, JOB, key);
        // The same request in another form: properties reordered, 1 written as 1.0.
        HttpResponse<String> again = post(ACME_KEY, "{\"imageCount\":0,\"pageCount\":2,\"fileSizeMb\":1.0}", key);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        JsonNode firstBody = JSON.readTree(first.body());
        JsonNode againBody = JSON.readTree(again.body());
        assertThat(againBody.get("jobId")).isEqualTo(firstBody.get("jobId"));
        assertThat(againBody.get("submittedAt")).as("the first submission's").isEqualTo(firstBody.get("submittedAt"));
        assertThat(jobsIn(firstBody.get("jobId").stringValue())).hasSize(1);
    }

    @Test
    void aReusedKeyWithAnotherBodyIs422NamingTheKey() throws Exception {
        String key = "order-3-" + UUID.randomUUID();
        HttpResponse<String> first = post(ACME_KEY, JOB, Map.of("Idempotency-Key", key));
        HttpResponse<String> other = post(ACME_KEY, JOB.replace("\"pageCount\":2", "\"pageCount\":3"),
                Map.of("Idempotency-Key", key));

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(other.statusCode()).isEqualTo(422);
        assertProblem(other, 422);
        JsonNode problem = JSON.readTree(other.body());
        assertThat(problem.get("detail").stringValue()).contains(key);
        assertThat(problem.get("errors").get(0).get("field").stringValue()).isEqualTo("Idempotency-Key");
        assertThat(jobsIn(JSON.readTree(first.body()).get("jobId").stringValue())).hasSize(1);
    }

    @Test
    void batchLinesFollowTheSameKeyRules() throws Exception {
        String key = "order-4-" + UUID.randomUUID();
        String firstJobId = JSON.readTree(post(ACME_KEY, JOB, Map.of("Idempotency-Key", key)).body())
                .get("jobId").stringValue();
        String sameLine = JOB.replace("}", ",\"idempotencyKey\":\"" + key + "\"}");
        String otherLine = JOB.replace("\"pageCount\":2", "\"pageCount\":9").replace("}",
                ",\"idempotencyKey\":\"" + key + "\"}");
        String newKey = "order-5-" + UUID.randomUUID();
        String newLine = JOB.replace("}", ",\"idempotencyKey\":\"" + newKey + "\"}");
        String newLineOtherBody = JOB.replace("\"imageCount\":0", "\"imageCount\":1").replace("}",
                ",\"idempotencyKey\":\"" + newKey + "\"}");

        HttpResponse<String> response = send(ACME_KEY, HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(
                        String.join("\n", sameLine, otherLine, newLine, newLineOtherBody, newLine) + "\n")));

        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> lines = response.body().lines().map(JSON::readTree).toList();
        assertThat(lines).extracting(line -> line.get("status").asString())
                .containsExactly("ACCEPTED", "422", "ACCEPTED", "422", "ACCEPTED");
        assertThat(lines.get(0).get("jobId").stringValue()).isEqualTo(firstJobId);
        assertThat(lines.get(1).get("errors").get(0).get("field").stringValue()).isEqualTo("idempotencyKey");
        assertThat(lines.get(4).get("jobId")).isEqualTo(lines.get(2).get("jobId"));
        assertThat(jobsIn(firstJobId)).hasSize(1);
        assertThat(jobsIn(lines.get(2).get("jobId").stringValue())).hasSize(1);
    }

    @Test
    void simulateIsRefusedUnlessAllowed() throws Exception {
        String simulated = JOB.replace("}", ",\"simulate\":{\"failures\":1}}");

        HttpResponse<String> single = post(ACME_KEY, simulated, Map.of());
        HttpResponse<String> batch = send(ACME_KEY, HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(JOB + "\n" + simulated + "\n")));

        assertThat(single.statusCode()).isEqualTo(400);
        assertProblem(single, 400);
        assertThat(JSON.readTree(single.body()).get("errors").get(0).get("field").stringValue())
                .isEqualTo("simulate");
        assertThat(batch.statusCode()).isEqualTo(200);
        List<JsonNode> lines = batch.body().lines().map(JSON::readTree).toList();
        assertThat(lines.get(0).get("status").stringValue()).isEqualTo("ACCEPTED");
        assertThat(lines.get(1).get("status").asInt()).isEqualTo(400);
        assertThat(lines.get(1).get("errors").get(0).get("field").stringValue()).isEqualTo("simulate");
    }

    private void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").stringValue()).isNotBlank();
        assertThat(problem.get("correlationId").stringValue())
                .isEqualTo(response.headers().firstValue("X-Correlation-Id").orElseThrow());
    }

    private List<Job> jobsIn(String jobId) {
        try (KafkaConsumer<String, Job> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()),
                Topics.JOBS_IN.keySerde().deserializer(), Topics.JOBS_IN.valueSerde().deserializer())) {
            TopicReader.fromBeginning(consumer, Topics.JOBS_IN.name());
            return TopicReader.readToEnd(consumer, Duration.ofSeconds(10)).stream()
                    .filter(record -> jobId.equals(record.key())).map(record -> record.value()).toList();
        }
    }

    private HttpResponse<String> post(String apiKey, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return send(apiKey, request);
    }

    private HttpResponse<String> get(String apiKey, String path) throws Exception {
        return send(apiKey, HttpRequest.newBuilder(uri(path)).GET());
    }

    private HttpResponse<String> send(String apiKey, HttpRequest.Builder request) throws Exception {
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
