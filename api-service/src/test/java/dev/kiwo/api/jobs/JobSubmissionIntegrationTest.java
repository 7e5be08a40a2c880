package dev.kiwo.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.api.security.Tenant;
import dev.kiwo.api.web.CorrelationId;
import dev.kiwo.model.Job;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.testsupport.TopicReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The whole path over real HTTP into the real broker. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class JobSubmissionIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    KafkaAdmin kafkaAdmin;

    @Autowired
    ProducerFactory<?, ?> producerFactory;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", KafkaTestBroker::bootstrapServers);
    }

    @Test
    void postedJobIsOnJobsInKeyedByJobIdWithCorrelationHeader() throws Exception {
        String correlationId = "it-" + UUID.randomUUID();
        String body = "{\"name\":\"quarterly report\",\"fileSizeMb\":73.25,\"pageCount\":180,\"imageCount\":12}";

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/json")
                .header(CorrelationId.HEADER, correlationId)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue(CorrelationId.HEADER)).hasValue(correlationId);
        JsonNode accepted = JSON.readTree(response.body());
        String jobId = accepted.get("jobId").stringValue();
        assertThat(accepted.get("status").stringValue()).isEqualTo("ACCEPTED");
        assertThat(response.headers().firstValue("Location")).hasValue("/jobs/" + jobId);
        Job expected = new Job(jobId, "quarterly report", 73.25, 180, 12,
                Instant.parse(accepted.get("submittedAt").stringValue()), null, null, Tenant.DEFAULT, null);

        ConsumerRecord<String, Job> record = readJobsIn(jobId);

        assertThat(record.key()).isEqualTo(jobId);
        assertThat(record.value()).isEqualTo(expected);
        Header header = record.headers().lastHeader(KiwoHeaders.CORRELATION_ID);
        assertThat(header).isNotNull();
        assertThat(new String(header.value(), StandardCharsets.UTF_8)).isEqualTo(correlationId);
    }

    @Test
    void publishContinuesTheCallersTraceIntoTheRecordAndIsTimed() throws Exception {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String callerSpanId = "00f067aa0ba902b7";

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-" + callerSpanId + "-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":3}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);
        String jobId = JSON.readTree(response.body()).get("jobId").stringValue();

        Header traceparent = readJobsIn(jobId).headers().lastHeader("traceparent");

        assertThat(traceparent).as("traceparent header on the jobs.in record").isNotNull();
        String[] parts = new String(traceparent.value(), StandardCharsets.US_ASCII).split("-");
        assertThat(parts).hasSize(4);
        assertThat(parts[1]).as("trace id").isEqualTo(traceId);
        assertThat(parts[2]).as("the publish span, a descendant of the caller's").isNotEqualTo(callerSpanId);
        assertThat(parts[3]).as("sampled").isEqualTo("01");
        String scrape = http.send(HttpRequest.newBuilder(managementUri("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(scrape).containsPattern(
                "kiwo_api_publish_seconds_count\\{error=\"none\",topic=\"jobs.in\"\\} [1-9]");
        assertThat(scrape).contains("kiwo_api_publish_seconds_bucket{", "kiwo_api_publish_active_seconds_count{")
                .doesNotContain("kiwo_api_publish_active_seconds_bucket");
    }

    @Test
    void aJobPostedWithoutTraceContextStartsATrace() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":3}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);
        String jobId = JSON.readTree(response.body()).get("jobId").stringValue();

        List<Header> traceparents = new ArrayList<>();
        readJobsIn(jobId).headers().headers("traceparent").forEach(traceparents::add);

        assertThat(traceparents).singleElement().satisfies(header -> assertThat(
                new String(header.value(), StandardCharsets.US_ASCII))
                .as("version 00, trace id, span id, sampled (01, or 03 with the random-trace-id flag)")
                .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]")
                .doesNotStartWith("00-00000000000000000000000000000000"));
    }

    @Test
    void batchPutsExactlyItsAcceptedJobsOnJobsInBeforeAnswering() throws Exception {
        String run = UUID.randomUUID().toString();
        List<String> keys = IntStream.rangeClosed(1, 6).mapToObj(line -> run + "-" + line).toList();
        // Lines 1, 3 and 6 are good; 2 has a negative size, 4 is blank, 5 has an unknown field. The rejected lines
        // carry keys too, so the jobIds they would have had can be looked for on jobs.in.
        String batch = String.join("\n",
                withKey("{\"name\":\"first\",\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0}", keys.get(0)),
                withKey("{\"fileSizeMb\":-1,\"pageCount\":2,\"imageCount\":0}", keys.get(1)),
                withKey("{\"name\":\"third\",\"fileSizeMb\":80,\"pageCount\":9,\"imageCount\":4,"
                        + "\"deadlineSeconds\":600}", keys.get(2)),
                "",
                withKey("{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0,\"colour\":\"red\"}", keys.get(4)),
                withKey("{\"name\":\"sixth\",\"fileSizeMb\":3,\"pageCount\":1,\"imageCount\":1}", keys.get(5)))
                + "\n";

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/x-ndjson")
                .header(CorrelationId.HEADER, "batch-" + run)
                .POST(HttpRequest.BodyPublishers.ofString(batch))
                .build(), HttpResponse.BodyHandlers.ofString());
        Map<String, ConsumerRecord<String, Job>> onJobsIn = jobsInNow();

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
        List<JsonNode> answer = response.body().lines().map(JSON::readTree).toList();
        assertThat(answer).extracting(line -> line.get("status").asString())
                .containsExactly("ACCEPTED", "400", "ACCEPTED", "400", "400", "ACCEPTED");
        List<String> accepted = List.of(IdempotencyKey.jobId(Tenant.DEFAULT, keys.get(0)), IdempotencyKey.jobId(Tenant.DEFAULT, keys.get(2)),
                IdempotencyKey.jobId(Tenant.DEFAULT, keys.get(5)));
        assertThat(answer).extracting(line -> line.path("jobId").asString()).filteredOn(id -> !id.isEmpty())
                .containsExactlyElementsOf(accepted);
        Set<String> batchJobIds = keys.stream().map(key -> IdempotencyKey.jobId(Tenant.DEFAULT, key)).collect(Collectors.toSet());
        assertThat(onJobsIn.keySet()).as("jobs of the batch on jobs.in when the answer came")
                .filteredOn(batchJobIds::contains).containsExactlyInAnyOrderElementsOf(accepted);
        Job third = onJobsIn.get(accepted.get(1)).value();
        assertThat(third.name()).isEqualTo("third");
        assertThat(third.deadlineSeconds()).isEqualTo(600);
        assertThat(onJobsIn.get(accepted.get(2)).headers().lastHeader(KiwoHeaders.CORRELATION_ID).value())
                .asString(StandardCharsets.UTF_8).isEqualTo("batch-" + run);
    }

    @Test
    void concurrentSubmissionsAreAllAcceptedAndStored() {
        List<CompletableFuture<HttpResponse<String>>> responses = IntStream.range(0, 32)
                .mapToObj(i -> http.sendAsync(HttpRequest.newBuilder(uri("/jobs"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"fileSizeMb\":1,\"pageCount\":" + i + ",\"imageCount\":0}"))
                        .build(), HttpResponse.BodyHandlers.ofString()))
                .toList();

        List<String> jobIds = responses.stream().map(CompletableFuture::join).map(response -> {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            return JSON.readTree(response.body()).get("jobId").stringValue();
        }).toList();

        assertThat(jobsInNow().keySet()).containsAll(jobIds);
    }

    @Test
    void declaresAllTopicsAtStartUp() {
        Map<String, TopicDescription> topics = kafkaAdmin.describeTopics(Topics.JOBS_IN.name(),
                Topics.JOBS_LIGHT.name(), Topics.JOBS_HEAVY.name(), Topics.JOBS_RESULTS.name(),
                Topics.JOBS_DLQ.name());

        assertThat(topics.get(Topics.JOBS_IN.name()).partitions()).hasSize(6);
        assertThat(topics.get(Topics.JOBS_LIGHT.name()).partitions()).hasSize(12);
        assertThat(topics.get(Topics.JOBS_HEAVY.name()).partitions()).hasSize(12);
        assertThat(topics.get(Topics.JOBS_RESULTS.name()).partitions()).hasSize(6);
        assertThat(topics.get(Topics.JOBS_DLQ.name()).partitions()).hasSize(3);
    }

    @Test
    void producerWaitsForAllReplicasIdempotentlyWithinProduceTimeout() {
        Map<String, Object> config = producerFactory.getConfigurationProperties();

        assertThat(config.get(ProducerConfig.ACKS_CONFIG)).hasToString("all");
        assertThat(config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).hasToString("true");
        assertThat(config.get(ProducerConfig.MAX_BLOCK_MS_CONFIG)).hasToString("2000");
        assertThat(config.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)).hasToString("2000");
        assertThat(config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)).hasToString("1995");
    }

    @Test
    void rejectsChunkedBodyOverTheLimitWith413() throws Exception {
        byte[] oversized = ("{\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":1}" + " ".repeat(70_000))
                .getBytes(StandardCharsets.UTF_8);

        // An input stream publisher has no length, so the client sends the body chunked without Content-Length.
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(oversized)))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"field\":\"body\"");
    }

    @Test
    void rejectsDeclaredContentLengthOverTheLimitWithoutReadingTheBody() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 10000000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String statusLine = readLine(socket.getInputStream());

            assertThat(statusLine).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void exposesHealthProbesAndPrometheusOnTheManagementPortOnly() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        for (String path : List.of("/actuator/health/liveness", "/actuator/health/readiness",
                "/actuator/prometheus")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(managementUri(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).as("%s on the API's port", path).isEqualTo(404);
        }
    }

    private static String withKey(String job, String idempotencyKey) {
        return job.replace("}", ",\"idempotencyKey\":\"" + idempotencyKey + "\"}");
    }

    /** Every record on jobs.in up to its end as of this call, by key. */
    private static Map<String, ConsumerRecord<String, Job>> jobsInNow() {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, Job> consumer = new KafkaConsumer<>(config,
                Topics.JOBS_IN.keySerde().deserializer(), Topics.JOBS_IN.valueSerde().deserializer())) {
            Map<String, ConsumerRecord<String, Job>> records = new HashMap<>();
            TopicReader.readToEnd(TopicReader.fromBeginning(consumer, Topics.JOBS_IN.name()), Duration.ofSeconds(30))
                    .forEach(record -> records.put(record.key(), record));
            return records;
        }
    }

    private ConsumerRecord<String, Job> readJobsIn(String jobId) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, Job> consumer = new KafkaConsumer<>(config,
                Topics.JOBS_IN.keySerde().deserializer(), Topics.JOBS_IN.valueSerde().deserializer())) {
            TopicReader.fromBeginning(consumer, Topics.JOBS_IN.name());
            return await().atMost(Duration.ofSeconds(30)).until(() -> find(consumer, jobId), Optional::isPresent)
                    .orElseThrow();
        }
    }

    private static Optional<ConsumerRecord<String, Job>> find(KafkaConsumer<String, Job> consumer, String jobId) {
        for (ConsumerRecord<String, Job> record : consumer.poll(Duration.ofMillis(200))) {
            if (jobId.equals(record.key())) {
                return Optional.of(record);
            }
        }
        return Optional.empty();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().trim();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }
}
