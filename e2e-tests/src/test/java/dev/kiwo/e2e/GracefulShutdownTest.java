package dev.kiwo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.launcher.App;
import dev.kiwo.launcher.KiwoService;
import dev.kiwo.launcher.ManagedProcess;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.LocalKafkaBroker;
import dev.kiwo.testsupport.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * SIGTERM as Kubernetes sends it, to services in the middle of their work: with the broker up, and after a broker
 * outage. Each JVM must exit within its Deployment's {@code terminationGracePeriodSeconds} (read from
 * infra/k8s/base), and each job in flight must end in exactly one result on {@code jobs.results}: finished by the
 * stopped instance, or handed back and run by the next one.
 */
class GracefulShutdownTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static final Duration RESULTS_TIMEOUT = Duration.ofSeconds(180);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** 400 MB at 20 ms per MB: 8 s of CPU, so SIGTERM comes while it runs. */
    private static final String HEAVY_JOB = "{\"name\":\"shutdown-heavy.pdf\",\"fileSizeMb\":400,\"pageCount\":0,"
            + "\"imageCount\":0}";
    /** Just below every heavy threshold: the costliest light job, 3 s of CPU. */
    private static final String LIGHT_JOB = "{\"name\":\"shutdown-light.pdf\",\"fileSizeMb\":49,\"pageCount\":199,"
            + "\"imageCount\":49}";
    private static final String SMALL_JOB = "{\"name\":\"shutdown-small.pdf\",\"fileSizeMb\":1,\"pageCount\":1,"
            + "\"imageCount\":0}";

    @TempDir
    Path dir;

    @AfterEach
    void stopWhatStarted() {
        ServiceJars.stopAll();
    }

    @Test
    void eachServiceExitsWithinItsGracePeriodDuringAJobAndEveryJobEndsOnce() throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.formatIn(dir.resolve("kafka")).start()) {
            String kafka = broker.bootstrapServers();
            KiwoService api = ServiceJars.startAs("shutdown-api", App.API, kafka);
            Map<String, KiwoService> stopped = new LinkedHashMap<>();
            stopped.put("classifier", classifier(kafka, 1));
            // Three times the cost: the costliest light job takes 9 s of CPU, so SIGTERM comes while it runs.
            stopped.put("worker-light", worker("worker-light", kafka, 1, "--kiwo.worker.cost.scale=3"));
            stopped.put("worker-heavy", worker("worker-heavy", kafka, 1));
            List<KiwoService> all = new ArrayList<>(stopped.values());
            all.add(api);
            try {
                all.forEach(service -> service.awaitReady(START_TIMEOUT));
                List<String> jobs = new ArrayList<>(List.of(submit(api, HEAVY_JOB), submit(api, LIGHT_JOB)));
                awaitStatus(api, jobs.get(0), "RUNNING");
                awaitStatus(api, jobs.get(1), "RUNNING");
                // Jobs keep arriving while the classifier stops, so it is stopped in the middle of routing.
                CompletableFuture<List<String>> arriving = CompletableFuture.supplyAsync(() -> submitEach(api, 20));

                assertThat(status(api, jobs.get(0))).as("the heavy job when SIGTERM is sent").isEqualTo("RUNNING");
                assertThat(status(api, jobs.get(1))).as("the light job when SIGTERM is sent").isEqualTo("RUNNING");
                Map<String, Duration> exits = terminateAll(stopped);
                jobs.addAll(arriving.get());

                report("broker up, job in flight", exits);
                exits.forEach((name, took) -> assertThat(took).as("%s's exit after SIGTERM", name)
                        .isLessThan(gracePeriod(name)));
                List<KiwoService> next = List.of(classifier(kafka, 2), worker("worker-light", kafka, 2),
                        worker("worker-heavy", kafka, 2));
                all.addAll(next);
                next.forEach(service -> service.awaitReady(START_TIMEOUT));
                Map<String, List<JobResult>> results = awaitOneResultEach(kafka, jobs);
                results.forEach((jobId, forJob) -> assertThat(forJob).as("results of %s", jobId).hasSize(1));
                JobResult heavyResult = results.get(jobs.get(0)).get(0);
                JobResult lightResult = results.get(jobs.get(1)).get(0);
                System.out.printf("shutdown: the heavy job in flight ended %s on %s, the light one %s on %s%n",
                        heavyResult.status(), heavyResult.instance(), lightResult.status(), lightResult.instance());
                assertThat(heavyResult.pool()).isEqualTo("heavy");
                assertThat(lightResult.pool()).isEqualTo("light");
            } finally {
                for (KiwoService service : all) {
                    service.close();
                }
            }
        }
    }

    @Test
    void everyConsumerExitsWithinItsGracePeriodAfterABrokerOutageAndWhileTheBrokerIsDown() throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.formatIn(dir.resolve("kafka")).start()) {
            String kafka = broker.bootstrapServers();
            List<KiwoService> all = new ArrayList<>();
            try {
                Map<String, KiwoService> consumers = consumers(kafka, 3);
                all.addAll(consumers.values());
                consumers.values().forEach(service -> service.awaitReady(START_TIMEOUT));
                outage(broker, Duration.ofSeconds(15));
                // Long enough for every client to reconnect, rejoin its group and settle.
                Thread.sleep(10_000);
                Map<String, Duration> afterOutage = terminateAll(consumers);
                report("after a 15 s broker outage", afterOutage);

                Map<String, KiwoService> again = consumers(kafka, 4);
                all.addAll(again.values());
                again.values().forEach(service -> service.awaitReady(START_TIMEOUT));
                broker.stop();
                Thread.sleep(10_000);
                Map<String, Duration> brokerDown = terminateAll(again);
                report("broker down for 10 s", brokerDown);

                afterOutage.forEach((name, took) -> assertThat(took).as("%s's exit after an outage", name)
                        .isLessThan(gracePeriod(name)));
                brokerDown.forEach((name, took) -> assertThat(took).as("%s's exit with the broker down", name)
                        .isLessThan(gracePeriod(name)));
            } finally {
                for (KiwoService service : all) {
                    service.close();
                }
            }
        }
    }

    /** The classifier and both pools: every service that consumes from Kafka. */
    private Map<String, KiwoService> consumers(String kafka, int instance) {
        Map<String, KiwoService> consumers = new LinkedHashMap<>();
        consumers.put("classifier", classifier(kafka, instance));
        consumers.put("worker-light", worker("worker-light", kafka, instance));
        consumers.put("worker-heavy", worker("worker-heavy", kafka, instance));
        return consumers;
    }

    private static KiwoService worker(String pool, String kafka, int instance, String... args) {
        List<String> all = new ArrayList<>(List.of("--kiwo.worker.instance=" + pool + "-" + instance));
        all.addAll(List.of(args));
        return ServiceJars.startAs("shutdown-" + pool + "-" + instance, App.ofModule(pool), kafka,
                all.toArray(String[]::new));
    }

    private KiwoService classifier(String kafka, int instance) {
        return ServiceJars.startClassifier("shutdown-classifier-" + instance, kafka,
                dir.resolve("streams-state-" + instance));
    }

    private static void outage(LocalKafkaBroker broker, Duration length) throws InterruptedException {
        broker.stop();
        Thread.sleep(length.toMillis());
        broker.start();
    }

    /**
     * SIGTERM to each at once, as Kubernetes sends it at the start of a pod's grace period; how long each took to
     * exit. Fails, with the log's last lines, once one outlives its grace period and has to be killed.
     */
    private static Map<String, Duration> terminateAll(Map<String, KiwoService> services) {
        Map<String, CompletableFuture<Duration>> exits = new LinkedHashMap<>();
        services.forEach((name, service) -> exits.put(name, CompletableFuture.supplyAsync(() -> {
            Duration grace = gracePeriod(name);
            ManagedProcess.Stopped stopped = service.stop(grace);
            if (stopped.killed()) {
                throw new AssertionError(service.name() + " still ran " + grace.toSeconds() + " s after SIGTERM; "
                        + "last lines:\n" + service.process().tail(30));
            }
            return stopped.took();
        })));
        Map<String, Duration> took = new LinkedHashMap<>();
        exits.forEach((name, exit) -> took.put(name, exit.join()));
        return took;
    }

    private static void report(String when, Map<String, Duration> exits) {
        exits.forEach((name, took) -> System.out.printf("shutdown (%s): %s exited %.1f s after SIGTERM (grace %d s)%n",
                when, name, took.toMillis() / 1000.0, gracePeriod(name).toSeconds()));
    }

    /** The Deployment's terminationGracePeriodSeconds in infra/k8s/base. */
    private static Duration gracePeriod(String service) {
        String manifest = service.equals("classifier") ? "classifier.yaml" : service + ".yaml";
        Path path = Path.of(System.getProperty("kiwo.root.dir", "..")).resolve("infra/k8s/base").resolve(manifest);
        try {
            Matcher grace = Pattern.compile("terminationGracePeriodSeconds:\\s*(\\d+)").matcher(Files.readString(path));
            assertThat(grace.find()).as("terminationGracePeriodSeconds in %s", path).isTrue();
            return Duration.ofSeconds(Long.parseLong(grace.group(1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads jobs.results (read_committed) until every job has a result; returns every result of those jobs. */
    private static Map<String, List<JobResult>> awaitOneResultEach(String kafka, List<String> jobIds) {
        try (KafkaConsumer<String, JobResult> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                Topics.JOBS_RESULTS.keySerde().deserializer(), Topics.JOBS_RESULTS.valueSerde().deserializer())) {
            TopicReader.fromBeginning(consumer, Topics.JOBS_RESULTS.name());
            Map<String, List<JobResult>> results = new HashMap<>();
            Set<String> wanted = Set.copyOf(jobIds);
            await("a result for each of " + jobIds.size() + " jobs").atMost(RESULTS_TIMEOUT)
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        for (ConsumerRecord<String, JobResult> record : consumer.poll(Duration.ofMillis(500))) {
                            if (wanted.contains(record.key())) {
                                results.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
                            }
                        }
                        return results.keySet().containsAll(wanted);
                    });
            // A second result would be written by now: the stopped instances are gone, the new ones idle.
            TopicReader.readToEnd(consumer, Duration.ofSeconds(30)).stream()
                    .filter(record -> wanted.contains(record.key()))
                    .forEach(record -> results.get(record.key()).add(record.value()));
            return results;
        }
    }

    private static List<String> submitEach(KiwoService api, int count) {
        List<String> jobIds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try {
                jobIds.add(submit(api, SMALL_JOB));
                Thread.sleep(100);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return jobIds;
    }

    private static String submit(KiwoService api, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(api.uri("/jobs"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body()).get("jobId").stringValue();
    }

    private static String status(KiwoService api, String jobId) throws IOException, InterruptedException {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(api.uri("/jobs/" + jobId)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString()).body()).path("status").stringValue();
    }

    private static void awaitStatus(KiwoService api, String jobId, String wanted) {
        await(jobId + " " + wanted).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsMatching(e -> e instanceof IOException)
                .until(() -> status(api, jobId), wanted::equals);
    }
}
