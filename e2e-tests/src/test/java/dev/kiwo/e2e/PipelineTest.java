package dev.kiwo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.launcher.App;
import dev.kiwo.launcher.KiwoService;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.testsupport.TopicReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole pipeline as users run it: the four services' runnable jars as separate JVMs on a real broker.
 * Jobs posted over HTTP must come out on {@code jobs.results} exactly once, with the class the baseline
 * rule gives and from the matching pool.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static final Path METRIC_SNAPSHOTS = Path.of(System.getProperty("kiwo.root.dir", ".."))
            .resolve("infra-tests/src/test/resources/metrics");
    /**
     * Metric families of kiwo, Spring MVC and Spring Kafka, which exist once a job went through. The Kafka clients'
     * own metrics are left out: Micrometer binds new ones (per topic, per partition) only on its next refresh, up
     * to a minute later, which the snapshot script waits for and this test does not.
     */
    private static final Pattern CHECKED_FAMILY = Pattern.compile("kiwo_.*|http_server_requests_.*|spring_kafka_.*");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

    private static final List<KiwoService> services = new ArrayList<>();
    private static final Map<String, KiwoService> bySnapshot = new LinkedHashMap<>();
    private static KiwoService api;

    @BeforeAll
    static void startPipeline() {
        String kafka = KafkaTestBroker.bootstrapServers();
        api = ServiceJars.start(App.API, kafka);
        bySnapshot.put("api", api);
        bySnapshot.put("classifier", ServiceJars.start(App.CLASSIFIER, kafka,
                "--spring.kafka.streams.state-dir=" + System.getProperty("kiwo.logs.dir", "target") + "/streams-state"));
        // Small cost scale and cap: the test is about routing and delivery, not CPU burn.
        for (App pool : List.of(App.WORKER_LIGHT, App.WORKER_HEAVY)) {
            bySnapshot.put(pool.id(), ServiceJars.start(pool, kafka, "--kiwo.worker.cost.scale=0.01",
                    "--kiwo.worker.cost.max=500ms"));
        }
        services.addAll(bySnapshot.values());
        services.forEach(s -> s.awaitReady(START_TIMEOUT));
    }

    @AfterAll
    static void stopPipeline() {
        ServiceJars.stopAll();
    }

    @Test
    @Order(1)
    void jobsAtAndAroundEveryThresholdComeOutOnceWithTheirClassFromTheirPool() throws Exception {
        // Each case: a body and the class the rule must give it.
        Map<String, JobClass> cases = new LinkedHashMap<>();
        cases.put(body(49.99, 0, 0), JobClass.LIGHT);   // just below the size threshold
        cases.put(body(50, 0, 0), JobClass.HEAVY);      // at it
        cases.put(body(0, 199, 0), JobClass.LIGHT);     // just below the page threshold
        cases.put(body(0, 200, 0), JobClass.HEAVY);     // at it
        cases.put(body(0, 0, 49), JobClass.LIGHT);      // just below the image threshold
        cases.put(body(0, 0, 50), JobClass.HEAVY);      // at it
        cases.put(body(0, 0, 0), JobClass.LIGHT);       // empty document
        cases.put(body(49.99, 199, 49), JobClass.LIGHT); // below all three at once
        cases.put(body(120, 10, 3), JobClass.HEAVY);    // the README's example
        cases.put(body(5000, 100000, 20000), JobClass.HEAVY); // far above every threshold

        Map<String, JobClass> expected = new HashMap<>();
        Map<String, String> correlation = new HashMap<>();
        Map<String, String> traces = new HashMap<>();
        for (Map.Entry<String, JobClass> c : cases.entrySet()) {
            String correlationId = "e2e-" + UUID.randomUUID();
            String traceId = UUID.randomUUID().toString().replace("-", "");
            HttpResponse<String> response = post(c.getKey(), "application/json", correlationId,
                    "00-" + traceId + "-b7ad6b7169203331-01");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            JsonNode body = JSON.readTree(response.body());
            String jobId = body.path("jobId").asString();
            assertThat(body.path("status").asString()).isEqualTo("ACCEPTED");
            assertThat(response.headers().firstValue("Location")).hasValue("/jobs/" + jobId);
            expected.put(jobId, c.getValue());
            correlation.put(jobId, correlationId);
            traces.put(jobId, traceId);
        }

        Map<String, List<ConsumerRecord<String, JobResult>>> results = readResults(expected.keySet(),
                Duration.ofSeconds(60));

        assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        results.forEach((jobId, records) -> {
            assertThat(records).as("results for %s", jobId).hasSize(1);
            ConsumerRecord<String, JobResult> record = records.get(0);
            JobResult result = record.value();
            JobClass jobClass = expected.get(jobId);
            assertThat(result.jobClass()).as("class of %s", jobId).isEqualTo(jobClass);
            assertThat(result.pool()).isEqualTo(jobClass == JobClass.HEAVY ? "heavy" : "light");
            assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(result.finishedAt()).isAfterOrEqualTo(result.startedAt());
            assertThat(result.startedAt()).isAfterOrEqualTo(result.classifiedAt());
            assertThat(result.classifiedAt()).isAfterOrEqualTo(result.submittedAt());
            Header header = record.headers().lastHeader(KiwoHeaders.CORRELATION_ID);
            assertThat(header).as("correlation header of %s", jobId).isNotNull();
            assertThat(new String(header.value(), StandardCharsets.UTF_8)).isEqualTo(correlation.get(jobId));
            // One trace from the caller's POST through the API, the classifier and the worker to the result.
            Header traceparent = record.headers().lastHeader("traceparent");
            assertThat(traceparent).as("traceparent of the result of %s", jobId).isNotNull();
            assertThat(new String(traceparent.value(), StandardCharsets.US_ASCII))
                    .as("trace of the result of %s", jobId).startsWith("00-" + traces.get(jobId) + "-");
        });
    }

    /**
     * The dashboard is checked (in infra-tests) against committed scrapes; this keeps those honest. Once a light and
     * a heavy job went through, each running service exposes every checked series shape (name and label names)
     * its snapshot holds, and no kiwo shape the snapshot lacks: a renamed metric or tag fails here until the
     * snapshots are refreshed.
     */
    @Test
    @Order(2)
    void liveScrapesMatchTheCommittedMetricSnapshots() throws Exception {
        Set<String> jobs = new HashSet<>();
        for (String body : List.of(body(1, 1, 1), body(60, 1, 1))) {
            HttpResponse<String> response = post(body, "application/json");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            jobs.add(JSON.readTree(response.body()).path("jobId").asString());
        }
        assertThat(readResults(jobs, Duration.ofSeconds(60))).containsOnlyKeys(jobs);

        for (Map.Entry<String, KiwoService> service : bySnapshot.entrySet()) {
            Set<String> committed = checkedShapes(Files.readString(
                    METRIC_SNAPSHOTS.resolve(service.getKey() + ".prom")));
            Set<String> live = checkedShapes(HTTP.send(HttpRequest.newBuilder(service.getValue()
                    .managementUri("/actuator/prometheus")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());

            assertThat(live).as("%s: live series shapes (refresh with infra-tests/scrape-snapshot.sh)",
                    service.getKey()).containsAll(committed);
            assertThat(committed).as("%s: kiwo series shapes in the snapshot (refresh with infra-tests/scrape-snapshot.sh)",
                    service.getKey()).containsAll(live.stream().filter(f -> f.startsWith("kiwo_")).toList());
        }
    }

    @Test
    @Order(3)
    void malformedRequestsGetProblemDetailsAndTheApiStaysReady() throws Exception {
        List<HttpResponse<String>> responses = List.of(
                post("{}", "application/json"),
                post("{\"fileSizeMb\":-1,\"pageCount\":2.5,\"imageCount\":\"x\"}", "application/json"),
                post("[1,2]", "application/json"),
                post("not json", "application/json"),
                post(body(1, 1, 1), "text/plain"));

        assertThat(responses).allSatisfy(r -> {
            assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
        });
        assertThat(responses.get(4).statusCode()).isEqualTo(415);
        assertThat(api.ready()).isTrue();
    }

    /**
     * {@code name{label,...}} of every sample of a checked family in a Prometheus text scrape (histogram series
     * included), label names sorted: what a dashboard query can select on, without the values.
     */
    private static Set<String> checkedShapes(String scrape) {
        Set<String> shapes = new TreeSet<>();
        scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank()).forEach(line -> {
            String name = line.split("[{ ]", 2)[0];
            if (CHECKED_FAMILY.matcher(name).matches()) {
                Set<String> labels = new TreeSet<>();
                int end = line.startsWith(name + "{") ? line.lastIndexOf('}') : -1;
                Matcher label = LABEL.matcher(end < 0 ? "" : line.substring(name.length() + 1, end));
                while (label.find()) {
                    labels.add(label.group(1));
                }
                shapes.add(name + "{" + String.join(",", labels) + "}");
            }
        });
        return shapes;
    }

    private static String body(double fileSizeMb, int pageCount, int imageCount) {
        return JSON.writeValueAsString(Map.of("name", "e2e.pdf", "fileSizeMb", fileSizeMb,
                "pageCount", pageCount, "imageCount", imageCount));
    }

    private static HttpResponse<String> post(String body, String contentType) throws Exception {
        return post(body, contentType, null, null);
    }

    private static HttpResponse<String> post(String body, String contentType, String correlationId,
                                             String traceparent) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.uri("/jobs"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (correlationId != null) {
            request.header("X-Correlation-Id", correlationId);
        }
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Reads jobs.results as a read_committed consumer until every wanted job has a result, then keeps
     * reading briefly so that a duplicate arriving just after would still be seen.
     */
    private static Map<String, List<ConsumerRecord<String, JobResult>>> readResults(Set<String> wanted,
                                                                                     Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, List<ConsumerRecord<String, JobResult>>> seen = new HashMap<>();
        try (KafkaConsumer<String, JobResult> consumer = new KafkaConsumer<>(props,
                Topics.JOBS_RESULTS.keySerde().deserializer(), Topics.JOBS_RESULTS.valueSerde().deserializer())) {
            TopicReader.fromBeginning(consumer, Topics.JOBS_RESULTS.name());
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, JobResult> record : consumer.poll(Duration.ofMillis(250))) {
                    if (wanted.contains(record.key())) {
                        seen.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
                    }
                }
                if (settleUntil == Long.MAX_VALUE && seen.keySet().containsAll(wanted)) {
                    settleUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return seen;
    }
}
