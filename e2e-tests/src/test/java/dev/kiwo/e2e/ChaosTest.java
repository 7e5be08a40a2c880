package dev.kiwo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.launcher.App;
import dev.kiwo.launcher.KiwoService;
import dev.kiwo.load.ResultAudit;
import dev.kiwo.testsupport.LocalKafkaBroker;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The short chaos run: local mode's broker and the four services as separate processes, 5,000 jobs over
 * HTTP, and one kill -9 each of the classifier and both worker pools while jobs flow. Every job the API
 * accepted must end in exactly one terminal result on jobs.results, read as a read_committed consumer.
 * The long run, with broker and full restarts, is scripts/chaos.sh.
 */
class ChaosTest {

    private static final int JOBS = 5_000;
    private static final Duration SEND_FOR = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @AfterEach
    void stopWhatStarted() {
        ServiceJars.stopAll();
    }

    @Test
    void everyAcceptedJobEndsInExactlyOneResultWhenTheClassifierAndEachPoolAreKilled() throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.formatIn(dir.resolve("kafka")).start()) {
            String kafka = broker.bootstrapServers();
            KiwoService api = ServiceJars.startAs("chaos-api", App.API, kafka);
            KiwoService classifier = ServiceJars.startClassifier("chaos-classifier", kafka,
                    dir.resolve("streams-state"));
            // A low cost scale: the test is about delivery under crashes, not CPU burn. The pools' consumers use the
            // classic protocol too, so a killed one's partitions move after the same short session.
            KiwoService light = ServiceJars.startAs("chaos-worker-light", App.WORKER_LIGHT, kafka,
                    "--kiwo.worker.cost.scale=0.01", "--kiwo.worker.cost.max=200ms",
                    "--spring.kafka.consumer.properties.session.timeout.ms=10000");
            KiwoService heavy = ServiceJars.startAs("chaos-worker-heavy", App.WORKER_HEAVY, kafka,
                    "--kiwo.worker.cost.scale=0.01", "--kiwo.worker.cost.max=200ms",
                    "--spring.kafka.consumer.properties.session.timeout.ms=10000");
            List<KiwoService> services = List.of(api, classifier, light, heavy);
            try {
                services.forEach(s -> s.awaitReady(START_TIMEOUT));
                Sender sender = new Sender(api, acceptsSimulate(api));
                sender.start();
                int round = 0;
                for (KiwoService victim : List.of(classifier, light, heavy)) {
                    int killAt = JOBS * ++round / 4;
                    Awaitility.await("job " + killAt + " sent").atMost(SEND_FOR.multipliedBy(3))
                            .pollInterval(Duration.ofMillis(200)).until(() -> sender.sent() >= killAt);
                    victim.kill();
                    victim.restart().awaitReady(START_TIMEOUT);
                }
                sender.awaitDone(SEND_FOR.multipliedBy(3));

                ResultAudit.Summary summary = ResultAudit.audit(kafka, sender.accepted(),
                        Duration.ofSeconds(150), Duration.ofSeconds(3), System.out);

                System.out.println("chaos test: " + summary.line() + " (HTTP answers other than 202: "
                        + sender.otherAnswers() + ")");
                assertThat(sender.accepted()).as("jobs the API accepted (other answers: %s)", sender.otherAnswers())
                        .hasSizeGreaterThanOrEqualTo(JOBS * 98 / 100);
                assertThat(summary.accepted()).isGreaterThanOrEqualTo(sender.accepted().size());
                assertThat(summary.missing()).as("accepted jobs without a result, e.g. %s",
                        summary.missingSample()).isZero();
                assertThat(summary.duplicates()).as("extra results, e.g. for %s", summary.duplicateSample())
                        .isZero();
                assertThat(summary.failedWithoutDeadLetter()).as("FAILED results without a dead letter").isZero();
                assertThat(summary.failed()).as("jobs simulated to fail for good")
                        .isEqualTo(sender.acceptedPermanentFailures());
            } finally {
                for (KiwoService service : services) {
                    service.close();
                }
            }
        }
    }

    /** Whether this API takes the optional simulate field; the job it posts to find out is counted too. */
    private static boolean acceptsSimulate(KiwoService api) throws IOException, InterruptedException {
        return post(api, body(0, "{\"failures\":0}")).statusCode() == 202;
    }

    private static String body(int n, String simulate) {
        boolean heavy = n % 10 == 0;
        return "{\"name\":\"chaos-" + n + ".pdf\",\"fileSizeMb\":" + (heavy ? 60 : 1.5) + ",\"pageCount\":"
                + (heavy ? 120 : 3) + ",\"imageCount\":1" + (simulate == null ? "" : ",\"simulate\":" + simulate)
                + "}";
    }

    private static HttpResponse<String> post(KiwoService api, String body) throws IOException, InterruptedException {
        return HTTP.send(request(api, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(KiwoService api, String body) {
        return HttpRequest.newBuilder(api.uri("/jobs")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /**
     * Posts {@link #JOBS} jobs at a steady pace over {@link #SEND_FOR}: one in ten heavy, and when the API
     * takes it, one in 25 failing its first attempt and one in 100 failing for good.
     */
    private static final class Sender {

        private final KiwoService api;
        private final boolean simulate;
        private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        private final Semaphore inFlight = new Semaphore(32);
        private final AtomicInteger sent = new AtomicInteger();
        private final Set<String> accepted = ConcurrentHashMap.newKeySet();
        private final Set<String> acceptedPermanent = ConcurrentHashMap.newKeySet();
        private final Map<String, LongAdder> otherAnswers = new ConcurrentHashMap<>();

        Sender(KiwoService api, boolean simulate) {
            this.api = api;
            this.simulate = simulate;
        }

        void start() {
            long periodMicros = SEND_FOR.toNanos() / 1_000 / JOBS;
            ticks.scheduleAtFixedRate(this::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
        }

        private void sendOne() {
            int n = sent.get() + 1;
            if (n > JOBS || !inFlight.tryAcquire()) {
                return;
            }
            sent.incrementAndGet();
            String shape = !simulate ? null : n % 100 == 0 ? "{\"permanent\":true}"
                    : n % 25 == 0 ? "{\"failures\":1}" : null;
            HTTP.sendAsync(request(api, body(n, shape)), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, failure) -> {
                        try {
                            if (failure != null) {
                                count(failure.getClass().getSimpleName());
                            } else if (response.statusCode() == 202) {
                                String jobId = JSON.readTree(response.body()).path("jobId").asString();
                                accepted.add(jobId);
                                if (shape != null && shape.contains("permanent")) {
                                    acceptedPermanent.add(jobId);
                                }
                            } else {
                                count("HTTP " + response.statusCode());
                            }
                        } finally {
                            inFlight.release();
                        }
                    });
        }

        private void count(String kind) {
            otherAnswers.computeIfAbsent(kind, k -> new LongAdder()).increment();
        }

        int sent() {
            return sent.get();
        }

        void awaitDone(Duration timeout) {
            Awaitility.await("all jobs sent and answered").atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .until(() -> sent.get() >= JOBS && inFlight.availablePermits() == 32);
            ticks.shutdownNow();
        }

        Set<String> accepted() {
            return accepted;
        }

        long acceptedPermanentFailures() {
            return acceptedPermanent.size();
        }

        Map<String, Long> otherAnswers() {
            Map<String, Long> copy = new TreeMap<>();
            otherAnswers.forEach((k, v) -> copy.put(k, v.sum()));
            return copy;
        }
    }
}
