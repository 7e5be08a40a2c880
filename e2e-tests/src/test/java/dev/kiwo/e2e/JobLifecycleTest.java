package dev.kiwo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.launcher.App;
import dev.kiwo.launcher.KiwoService;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.testsupport.TopicReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job's life as a client follows it through the API, on the four services as separate JVMs: every status on
 * the way, retries, cancellation before and during a run, and deadlines. The heavy pool runs one job at a
 * time, so a long heavy job keeps the ones behind it queued for as long as the test needs.
 */
class JobLifecycleTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** 1,000 MB at 20 ms per MB: 20 s of CPU, far longer than any step that waits for it. */
    private static final String LONG_HEAVY = "{\"fileSizeMb\":1000,\"pageCount\":0,\"imageCount\":0}";
    private static final String SHORT_HEAVY = "{\"fileSizeMb\":50,\"pageCount\":0,\"imageCount\":0}";

    private static final List<KiwoService> services = new ArrayList<>();
    private static KiwoService api;

    @BeforeAll
    static void startPipeline() {
        String kafka = KafkaTestBroker.bootstrapServers();
        api = ServiceJars.startAs("lifecycle-api", App.API, kafka);
        services.add(api);
        services.add(ServiceJars.startAs("lifecycle-classifier", App.CLASSIFIER, kafka,
                "--spring.kafka.streams.state-dir=" + System.getProperty("kiwo.logs.dir", "target")
                        + "/streams-state"));
        services.add(ServiceJars.startAs("lifecycle-worker-light", App.WORKER_LIGHT, kafka,
                "--kiwo.worker.cost.scale=0.01"));
        services.add(ServiceJars.startAs("lifecycle-worker-heavy", App.WORKER_HEAVY, kafka));
        services.forEach(service -> service.awaitReady(START_TIMEOUT));
    }

    @AfterAll
    static void stopPipeline() {
        ServiceJars.stopAll();
    }

    @Test
    void aJobThatFailsOnceIsSeenRunningRetryingRunningAgainAndSucceeding() throws Exception {
        String jobId = submit("{\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":0,\"simulate\":{\"failures\":1}}");
        List<String> stages = Collections.synchronizedList(new ArrayList<>());
        HttpResponse<InputStream> events = HTTP.send(request("/jobs/" + jobId + "/events")
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> readStages(events.body(), stages));

        stream.get(60, TimeUnit.SECONDS);

        // The stream starts at whatever the job has reached when it opens; the rest is every change in order.
        List<String> expected = List.of("ACCEPTED/0", "QUEUED/0", "RUNNING/1", "RETRYING/1", "RUNNING/2",
                "SUCCEEDED/2");
        assertThat(stages).isNotEmpty();
        assertThat(expected).endsWith(stages.toArray(String[]::new));
        JsonNode done = status(jobId);
        assertThat(done.get("jobClass").stringValue()).isEqualTo("LIGHT");
        assertThat(done.get("pool").stringValue()).isEqualTo("light");
        assertThat(Instant.parse(done.get("finishedAt").stringValue()))
                .isAfterOrEqualTo(Instant.parse(done.get("startedAt").stringValue()));
        assertThat(Instant.parse(done.get("classifiedAt").stringValue()))
                .isAfterOrEqualTo(Instant.parse(done.get("submittedAt").stringValue()));
        assertThat(resultsOf(Set.of(jobId)).get(jobId)).hasSize(1);
    }

    @Test
    void aPostThatWaitsAnswersWithTheEndedJob() throws Exception {
        HttpResponse<String> response = send(request("/jobs").header("Content-Type", "application/json")
                .header("Prefer", "wait=30")
                .POST(HttpRequest.BodyPublishers.ofString("{\"fileSizeMb\":2,\"pageCount\":3,\"imageCount\":0}")));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Preference-Applied")).hasValue("wait=30");
        JsonNode view = JSON.readTree(response.body());
        assertThat(view.get("status").stringValue()).isEqualTo("SUCCEEDED");
        assertThat(response.headers().firstValue("Location")).hasValue("/jobs/" + view.get("jobId").stringValue());
        assertThat(view.get("processingMs").isNumber()).isTrue();
    }

    @Test
    void cancellationAndDeadlinesEndJobsQueuedOrRunningWithOneResultEach() throws Exception {
        String running = submit(LONG_HEAVY);
        awaitStatus(running, "RUNNING");
        String queued = submit(SHORT_HEAVY);
        String expiring = submit(SHORT_HEAVY.replace("}", ",\"deadlineSeconds\":1}"));
        awaitStatus(queued, "QUEUED");
        awaitStatus(expiring, "QUEUED");

        HttpResponse<String> cancelQueued = send(request("/jobs/" + queued).DELETE());
        assertThat(cancelQueued.statusCode()).as(cancelQueued.body()).isEqualTo(202);
        Instant deadline = Instant.parse(status(expiring).get("deadlineAt").stringValue());
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(deadline));
        assertThat(status(running).get("status").stringValue()).isEqualTo("RUNNING");

        HttpResponse<String> cancelRunning = send(request("/jobs/" + running).DELETE());
        assertThat(cancelRunning.statusCode()).as(cancelRunning.body()).isEqualTo(202);

        JsonNode stopped = awaitEnd(running);
        assertThat(stopped.get("status").stringValue()).isEqualTo("CANCELLED");
        assertThat(stopped.get("error").get("code").stringValue()).isEqualTo("CANCELLED");
        assertThat(stopped.get("processingMs").longValue()).isLessThan(20_000);

        JsonNode neverStarted = awaitEnd(queued);
        assertThat(neverStarted.get("status").stringValue()).isEqualTo("CANCELLED");
        assertThat(neverStarted.get("attempt").intValue()).isZero();

        JsonNode expired = awaitEnd(expiring);
        assertThat(expired.get("status").stringValue()).isEqualTo("FAILED");
        assertThat(expired.get("error").get("code").stringValue()).isEqualTo("DEADLINE_EXCEEDED");
        assertThat(expired.get("attempt").intValue()).isZero();

        HttpResponse<String> tooLate = send(request("/jobs/" + running).DELETE());
        assertThat(tooLate.statusCode()).isEqualTo(409);
        assertThat(tooLate.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        String overrunning = submit(LONG_HEAVY.replace("}", ",\"deadlineSeconds\":3}"));
        JsonNode overran = awaitEnd(overrunning);
        assertThat(overran.get("status").stringValue()).isEqualTo("FAILED");
        assertThat(overran.get("error").get("code").stringValue()).isEqualTo("DEADLINE_EXCEEDED");
        assertThat(overran.get("attempt").intValue()).isEqualTo(1);
        assertThat(Instant.parse(overran.get("finishedAt").stringValue()))
                .isBefore(Instant.parse(overran.get("submittedAt").stringValue()).plusSeconds(10));

        Set<String> jobs = Set.of(running, queued, expiring, overrunning);
        Map<String, List<JobResult>> results = resultsOf(jobs);
        assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(jobs);
        results.forEach((jobId, forJob) -> assertThat(forJob).as("results of %s", jobId).hasSize(1));
    }

    private static void readStages(InputStream body, List<String> stages) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("data:")) {
                    JsonNode view = JSON.readTree(line.substring(5));
                    stages.add(view.get("status").stringValue() + "/" + view.get("attempt").intValue());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, List<JobResult>> resultsOf(Set<String> jobIds) {
        try (KafkaConsumer<String, JobResult> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                Topics.JOBS_RESULTS.keySerde().deserializer(), Topics.JOBS_RESULTS.valueSerde().deserializer())) {
            TopicReader.fromBeginning(consumer, Topics.JOBS_RESULTS.name());
            Map<String, List<JobResult>> results = new java.util.HashMap<>();
            for (ConsumerRecord<String, JobResult> record : TopicReader.readToEnd(consumer, Duration.ofSeconds(30))) {
                if (jobIds.contains(record.key())) {
                    results.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
                }
            }
            return results;
        }
    }

    private static void awaitStatus(String jobId, String wanted) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> status(jobId).path("status").stringValue(), wanted::equals);
    }

    /** Waits for the job's end with {@code Prefer: wait}, re-asking until it has ended. */
    private static JsonNode awaitEnd(String jobId) {
        return await().atMost(Duration.ofSeconds(90)).pollDelay(Duration.ZERO).until(() -> {
            HttpResponse<String> response = send(request("/jobs/" + jobId).header("Prefer", "wait=20").GET());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        }, view -> Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(view.path("status").stringValue()));
    }

    private static JsonNode status(String jobId) throws Exception {
        HttpResponse<String> response = send(request("/jobs/" + jobId).GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String submit(String body) throws Exception {
        HttpResponse<String> response = send(request("/jobs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body()).get("jobId").stringValue();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(40)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + path));
    }
}
