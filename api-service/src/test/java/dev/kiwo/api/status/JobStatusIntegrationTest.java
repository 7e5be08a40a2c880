package dev.kiwo.api.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.api.ApiApplication;
import dev.kiwo.api.SharedBrokerProperties;
import dev.kiwo.model.JobCancellation;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.testsupport.TopicReader;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The status endpoints over real HTTP, with two API replicas on one real broker. The classifier's and the
 * workers' records are written straight to their topics, as those services write them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class JobStatusIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String JOB = "{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0}";

    private static ConfigurableApplicationContext otherReplica;
    private static KafkaProducer<String, byte[]> producer;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        SharedBrokerProperties.register(registry);
    }

    @BeforeAll
    static void startOtherReplicaAndProducer() {
        otherReplica = new SpringApplicationBuilder(ApiApplication.class).run("--server.port=0",
                "--management.server.port=0", "--spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers());
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaTestBroker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        producer.close();
        otherReplica.close();
    }

    @Test
    void aJobIsFoundRightAfterItsAcceptanceOnEitherReplica() throws Exception {
        for (int i = 0; i < 20; i++) {
            String jobId = submit(port, JOB);
            HttpResponse<String> here = get(port, "/jobs/" + jobId);
            HttpResponse<String> there = get(otherPort(), "/jobs/" + jobId);

            assertThat(here.statusCode()).as("replica that accepted job %s", jobId).isEqualTo(200);
            assertThat(there.statusCode()).as("other replica, job %s", jobId).isEqualTo(200);
            JsonNode view = JSON.readTree(there.body());
            assertThat(view.get("jobId").stringValue()).isEqualTo(jobId);
            assertThat(view.get("status").stringValue()).isIn("ACCEPTED", "QUEUED");
            assertThat(view.get("links").get("self").stringValue()).isEqualTo("/jobs/" + jobId);
            assertThat(view.get("links").get("events").stringValue()).isEqualTo("/jobs/" + jobId + "/events");
        }
    }

    @Test
    void everyTransitionShowsWithWhatIsKnownAtThatPoint() throws Exception {
        String jobId = submit(port, JOB);
        Instant classifiedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        write(Topics.JOBS_STATUS, jobId,
                new JobStatusEvent(jobId, JobStatus.QUEUED, classifiedAt, JobClass.LIGHT, null, null, null));
        JsonNode queued = awaitStatus(jobId, "QUEUED");
        assertThat(queued.get("jobClass").stringValue()).isEqualTo("LIGHT");
        assertThat(Instant.parse(queued.get("classifiedAt").stringValue())).isEqualTo(classifiedAt);

        Instant started = Instant.now();
        write(Topics.JOBS_STATUS, jobId,
                new JobStatusEvent(jobId, JobStatus.RUNNING, started, JobClass.LIGHT, "light", 1, null));
        JsonNode running = awaitStatus(jobId, "RUNNING");
        assertThat(running.get("pool").stringValue()).isEqualTo("light");
        assertThat(running.get("attempt").intValue()).isEqualTo(1);

        write(Topics.JOBS_STATUS, jobId, new JobStatusEvent(jobId, JobStatus.RETRYING, Instant.now(), JobClass.LIGHT,
                "light", 1, "SimulatedFailureException: attempt 1"));
        JsonNode retrying = awaitStatus(jobId, "RETRYING");
        assertThat(retrying.get("error").get("message").stringValue()).contains("attempt 1");

        write(Topics.JOBS_STATUS, jobId,
                new JobStatusEvent(jobId, JobStatus.RUNNING, Instant.now(), JobClass.LIGHT, "light", 2, null));
        assertThat(awaitStatus(jobId, "RUNNING").get("attempt").intValue()).isEqualTo(2);

        writeResult(jobId, JobStatus.FAILED, "boom", JobErrorCode.PROCESSING_FAILED);
        JsonNode failed = awaitStatus(jobId, "FAILED");
        assertThat(failed.get("error").get("code").stringValue()).isEqualTo("PROCESSING_FAILED");
        assertThat(failed.get("error").get("message").stringValue()).isEqualTo("boom");
        assertThat(failed.get("processingMs").longValue()).isEqualTo(40);
        assertThat(failed.has("finishedAt")).isTrue();

        // A late non-terminal event cannot move a job back from its end.
        write(Topics.JOBS_STATUS, jobId,
                new JobStatusEvent(jobId, JobStatus.RUNNING, Instant.now(), JobClass.LIGHT, "light", 3, null));
        String marker = submit(port, JOB);
        write(Topics.JOBS_STATUS, marker,
                new JobStatusEvent(marker, JobStatus.QUEUED, Instant.now(), JobClass.LIGHT, null, null, null));
        awaitStatus(marker, "QUEUED");
        assertThat(JSON.readTree(get(port, "/jobs/" + jobId).body()).get("status").stringValue()).isEqualTo("FAILED");
    }

    @Test
    void unknownAndMalformedIdsAreProblems() throws Exception {
        HttpResponse<String> unknown = get(otherPort(), "/jobs/" + UUID.randomUUID());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        HttpResponse<String> malformed = get(port, "/jobs/not-a-job");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).get("errors").get(0).get("field").stringValue()).isEqualTo("jobId");

        assertThat(send(port, HttpRequest.newBuilder(uri(port, "/jobs/" + UUID.randomUUID())).DELETE())
                .statusCode()).isEqualTo(404);
    }

    @Test
    void preferWaitAnswersAsSoonAsTheJobEnds() throws Exception {
        String jobId = submit(port, JOB);
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(HttpRequest.newBuilder(
                        uri(otherPort(), "/jobs/" + jobId)).header("Prefer", "wait=30").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        // Wait for the request to be registered with the view: until then the answer cannot have come.
        await().atMost(Duration.ofSeconds(5)).until(() -> waiting.isDone() || watchers() > 0);
        assertThat(waiting).isNotDone();

        writeResult(jobId, JobStatus.SUCCEEDED, null, null);

        HttpResponse<String> response = waiting.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Preference-Applied")).hasValue("wait=30");
        assertThat(JSON.readTree(response.body()).get("status").stringValue()).isEqualTo("SUCCEEDED");
    }

    @Test
    void preferWaitOnAJobThatDoesNotEndAnswersAfterTheWaitWithItsCurrentStatus() throws Exception {
        String jobId = submit(port, JOB);
        long start = System.nanoTime();

        HttpResponse<String> response = send(port, HttpRequest.newBuilder(uri(port, "/jobs/" + jobId))
                .header("Prefer", "respond-async, wait=1; foo=bar").GET());

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        assertThat(response.headers().firstValue("Preference-Applied")).hasValue("wait=1");
        assertThat(JSON.readTree(response.body()).get("status").stringValue()).isIn("ACCEPTED", "QUEUED");
    }

    @Test
    void aPostThatWaitsForAJobThatDoesNotEndAnswers202WithItsStatusAfterTheWait() throws Exception {
        long start = System.nanoTime();

        HttpResponse<String> response = send(port, HttpRequest.newBuilder(uri(port, "/jobs"))
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=1")
                .POST(HttpRequest.BodyPublishers.ofString(JOB)));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue("Preference-Applied")).hasValue("wait=1");
        JsonNode view = JSON.readTree(response.body());
        assertThat(response.headers().firstValue("Location")).hasValue("/jobs/" + view.get("jobId").stringValue());
        assertThat(view.get("status").stringValue()).isIn("ACCEPTED", "QUEUED");
        assertThat(view.has("submittedAt")).isTrue();
    }

    @Test
    void eventsStreamEachChangeFromTheCurrentStateAndEndAfterTheTerminalOne() throws Exception {
        String jobId = submit(port, JOB);
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(uri(otherPort(), "/jobs/" + jobId
                + "/events")).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");

        List<String> statuses = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> readStatuses(stream.body(), statuses));
        await().atMost(Duration.ofSeconds(5)).until(() -> statuses.size() == 1);
        write(Topics.JOBS_STATUS, jobId,
                new JobStatusEvent(jobId, JobStatus.QUEUED, Instant.now(), JobClass.HEAVY, null, null, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> statuses.size() == 2);
        write(Topics.JOBS_STATUS, jobId,
                new JobStatusEvent(jobId, JobStatus.RUNNING, Instant.now(), JobClass.HEAVY, "heavy", 1, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> statuses.size() == 3);
        writeResult(jobId, JobStatus.SUCCEEDED, null, null);

        reading.get(10, TimeUnit.SECONDS);
        assertThat(statuses).containsExactly("ACCEPTED", "QUEUED", "RUNNING", "SUCCEEDED");
    }

    @Test
    void cancellingRecordsTheRequestOnceAndAnEndedJobCannotBeCancelled() throws Exception {
        String jobId = submit(port, JOB);

        HttpResponse<String> cancelled = send(otherPort(), HttpRequest.newBuilder(uri(otherPort(), "/jobs/" + jobId))
                .DELETE());

        assertThat(cancelled.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(cancelled.body()).has("cancelRequestedAt")).isTrue();
        assertThat(cancellationsOf(jobId)).hasSize(1);
        JsonNode view = await().atMost(Duration.ofSeconds(5)).until(
                () -> JSON.readTree(get(port, "/jobs/" + jobId).body()), v -> v.has("cancelRequestedAt"));
        assertThat(view.get("status").stringValue()).isIn("ACCEPTED", "QUEUED");

        writeResult(jobId, JobStatus.CANCELLED, "cancelled before it started", JobErrorCode.CANCELLED);
        awaitStatus(jobId, "CANCELLED");
        HttpResponse<String> again = send(port, HttpRequest.newBuilder(uri(port, "/jobs/" + jobId)).DELETE());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).get("jobStatus").stringValue()).isEqualTo("CANCELLED");
    }

    private int watchers() {
        // The other replica's view: the waiting request was sent there.
        return otherReplica.getBean(JobStatusView.class).watching();
    }

    private void readStatuses(InputStream body, List<String> statuses) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("data:")) {
                    statuses.add(JSON.readTree(line.substring(5)).get("status").stringValue());
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode awaitStatus(String jobId, String status) {
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> JSON.readTree(get(otherPort(), "/jobs/" + jobId).body()),
                view -> status.equals(view.path("status").stringValue()));
    }

    private List<ConsumerRecord<String, JobCancellation>> cancellationsOf(String jobId) {
        try (KafkaConsumer<String, JobCancellation> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()),
                Topics.JOBS_CANCELLATIONS.keySerde().deserializer(),
                Topics.JOBS_CANCELLATIONS.valueSerde().deserializer())) {
            TopicReader.fromBeginning(consumer, Topics.JOBS_CANCELLATIONS.name());
            return TopicReader.readToEnd(consumer, Duration.ofSeconds(10)).stream()
                    .filter(record -> jobId.equals(record.key())).toList();
        }
    }

    private void writeResult(String jobId, JobStatus status, String error, JobErrorCode code) throws Exception {
        Instant now = Instant.now();
        write(Topics.JOBS_RESULTS, jobId, new JobResult(jobId, JobClass.LIGHT, status, "light", "worker-1",
                now.minusSeconds(1), now.minusMillis(500), now.minusMillis(40), now, 40, error, code, 1));
    }

    private <V> void write(dev.kiwo.model.Topic<String, V> topic, String jobId, V value) throws Exception {
        producer.send(new ProducerRecord<>(topic.name(), jobId,
                topic.valueSerde().serializer().serialize(topic.name(), value))).get(10, TimeUnit.SECONDS);
    }

    private String submit(int toPort, String body) throws Exception {
        HttpResponse<String> response = send(toPort, HttpRequest.newBuilder(uri(toPort, "/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(response.statusCode()).isEqualTo(202);
        return JSON.readTree(response.body()).get("jobId").stringValue();
    }

    private HttpResponse<String> get(int toPort, String path) throws Exception {
        return send(toPort, HttpRequest.newBuilder(uri(toPort, path)).GET());
    }

    private HttpResponse<String> send(int toPort, HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int otherPort() {
        return Integer.parseInt(otherReplica.getEnvironment().getProperty("local.server.port"));
    }

    private static URI uri(int port, String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
