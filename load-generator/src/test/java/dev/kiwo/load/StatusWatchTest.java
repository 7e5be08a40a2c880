package dev.kiwo.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Follows jobs through a small HTTP server on loopback that plays the API's {@code GET /jobs/{id}}: each job has a
 * script of answers, one per request, the last one repeated.
 */
class StatusWatchTest {

    private static final Instant SUBMITTED = Instant.parse("2026-01-01T10:00:00Z");

    private HttpServer server;
    private final Map<String, Queue<Answer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, List<String>> preferHeaders = new ConcurrentHashMap<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/jobs/", this::answer);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void learnsEachEndWaitingOnlyForJobsStillRunning() {
        // Ended before following started: one request, no wait asked.
        script("done", ended(JobStatus.SUCCEEDED, JobClass.LIGHT, 250));
        // Running at the first request; the waited-for second answers its end, as the API does when it comes.
        script("slow", running(true), ended(JobStatus.SUCCEEDED, JobClass.HEAVY, 42_000));
        // Failed jobs and jobs cancelled before the classifier saw them (no class) have ended too.
        script("failed", ended(JobStatus.FAILED, JobClass.LIGHT, 900));
        script("cancelled", new Answer(200, "{\"jobId\":\"cancelled\",\"status\":\"CANCELLED\",\"submittedAt\":\""
                + SUBMITTED + "\",\"finishedAt\":\"" + SUBMITTED.plusMillis(5) + "\",\"error\":{\"code\":\"CANCELLED\"}}",
                false, null));
        // Unknown to the API: asked once, never again.
        script("gone", new Answer(404, "{\"title\":\"Job not found\"}", false, null));
        // A 503 with Retry-After: asked again after it.
        script("flaky", new Answer(503, "{}", false, "1"), ended(JobStatus.SUCCEEDED, JobClass.LIGHT, 300));
        // Never ends, and the server ignores Prefer (no Preference-Applied): asked again only after a pause.
        script("stuck", running(false));
        List<String> ids = List.of("done", "slow", "failed", "cancelled", "gone", "flaky", "stuck");

        StatusWatch watch = new StatusWatch(target(), 8, Duration.ofSeconds(2), null);
        watch.follow(ids);
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.settled(ids) == 6);
        await().atMost(Duration.ofSeconds(10)).until(() -> preferHeaders.get("stuck").size() >= 3);
        watch.close();
        CompletionWatch.Outcome outcome = watch.outcome();

        assertThat(outcome.completion()).isEqualTo(LoadPlan.Completion.API);
        assertThat(outcome.finished()).containsOnlyKeys("done", "slow", "failed", "cancelled", "flaky");
        assertThat(outcome.finished().get("done")).isEqualTo(new Finished(JobClass.LIGHT, JobStatus.SUCCEEDED,
                SUBMITTED, SUBMITTED.plusMillis(250)));
        assertThat(outcome.finished().get("done").endToEndMicros()).isEqualTo(250_000);
        assertThat(outcome.finished().get("slow").endToEndMicros()).isEqualTo(42_000_000);
        assertThat(outcome.finished().get("failed").status()).isEqualTo(JobStatus.FAILED);
        assertThat(outcome.finished().get("cancelled").jobClass()).isNull();
        assertThat(outcome.duplicates()).as("the API cannot show duplicate results").isNull();
        assertThat(outcome.notFound()).containsExactly("gone");
        assertThat(outcome.lastSeen()).containsOnly(Map.entry("stuck", JobStatus.RUNNING));
        assertThat(outcome.errors()).containsOnly(Map.entry("HTTP 503", 1L));
        assertThat(watch.finished(ids)).isEqualTo(5);

        // The first request of a job never waits; the next ones ask for the watch's wait.
        assertThat(preferHeaders.get("done")).containsExactly("");
        assertThat(preferHeaders.get("slow")).containsExactly("", "wait=20");
        assertThat(preferHeaders.get("gone")).containsExactly("");
        assertThat(preferHeaders.get("flaky")).containsExactly("", "");
        // Without Preference-Applied the watch pauses a second between requests instead of looping.
        assertThat(preferHeaders.get("stuck")).hasSizeBetween(3, 6).startsWith("", "wait=20");
    }

    @Test
    void keepsAtMostTheWatchersInFlightAndFollowsEveryJob() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = "job-" + i;
            ids.add(id);
            // The waited-for answer is held 100 ms, as the API holds a wait until the job ends.
            script(id, running(true), new Answer(200, endedBody(id, JobStatus.SUCCEEDED, JobClass.LIGHT, 10), true,
                    null, Duration.ofMillis(100)));
        }

        StatusWatch watch = new StatusWatch(target(), 3, Duration.ofSeconds(2), null);
        watch.follow(ids);
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.finished(ids) == 12);
        watch.close();

        assertThat(maxConcurrent.get()).isBetween(1, 3);
        assertThat(preferHeaders.values()).allSatisfy(headers -> assertThat(headers).containsExactly("", "wait=20"));
    }

    private URI target() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void answer(HttpExchange exchange) throws IOException {
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try {
            String id = exchange.getRequestURI().getPath().substring("/jobs/".length());
            String prefer = exchange.getRequestHeaders().getFirst("Prefer");
            preferHeaders.computeIfAbsent(id, k -> new ArrayList<>()).add(prefer == null ? "" : prefer);
            Queue<Answer> script = scripts.get(id);
            Answer answer = script.size() > 1 ? script.poll() : script.peek();
            if (!answer.hold().isZero()) {
                Thread.sleep(answer.hold().toMillis());
            }
            if (answer.waited()) {
                exchange.getResponseHeaders().add("Preference-Applied", "wait=20");
            }
            if (answer.retryAfter() != null) {
                exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
            }
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), body.length);
            exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            concurrent.decrementAndGet();
            exchange.close();
        }
    }

    private void script(String id, Answer... answers) {
        scripts.put(id, new ConcurrentLinkedQueue<>(List.of(answers)));
    }

    private static Answer running(boolean waited) {
        return new Answer(200, "{\"jobId\":\"x\",\"status\":\"RUNNING\",\"jobClass\":\"HEAVY\",\"pool\":\"heavy\","
                + "\"attempt\":1,\"submittedAt\":\"" + SUBMITTED + "\"}", waited, null);
    }

    private static Answer ended(JobStatus status, JobClass jobClass, long endToEndMs) {
        return new Answer(200, endedBody("x", status, jobClass, endToEndMs), false, null);
    }

    /** A terminal JobView as the API writes it, with fields the watch does not read. */
    private static String endedBody(String id, JobStatus status, JobClass jobClass, long endToEndMs) {
        return "{\"jobId\":\"" + id + "\",\"status\":\"" + status + "\",\"jobClass\":\"" + jobClass + "\","
                + "\"pool\":\"light\",\"attempt\":1,\"submittedAt\":\"" + SUBMITTED + "\",\"classifiedAt\":\""
                + SUBMITTED + "\",\"startedAt\":\"" + SUBMITTED + "\",\"finishedAt\":\""
                + SUBMITTED.plusMillis(endToEndMs) + "\",\"processingMs\":1,"
                + "\"links\":{\"self\":\"/jobs/" + id + "\",\"events\":\"/jobs/" + id + "/events\"}}";
    }

    /** One scripted answer: status, body, whether it says a wait was applied, Retry-After, and how long it is held. */
    private record Answer(int status, String body, boolean waited, String retryAfter, Duration hold) {

        Answer(int status, String body, boolean waited, String retryAfter) {
            this(status, body, waited, retryAfter, Duration.ZERO);
        }
    }
}
