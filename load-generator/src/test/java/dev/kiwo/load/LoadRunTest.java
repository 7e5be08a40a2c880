package dev.kiwo.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the generator against a small HTTP server on loopback that accepts light jobs and rejects heavy ones, and
 * answers {@code GET /jobs/{id}} for the jobs it accepted as the API does once they ended, 40 ms after submission.
 */
class LoadRunTest {

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger statusRequests = new AtomicInteger();
    private final Map<String, Instant> submitted = new ConcurrentHashMap<>();
    /** Method and X-API-Key header of every request, e.g. "POST key-1", "GET none". */
    private final Map<String, AtomicInteger> keysSeen = new ConcurrentHashMap<>();

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/jobs", exchange -> {
            String key = exchange.getRequestHeaders().getFirst("X-API-Key");
            keysSeen.computeIfAbsent(exchange.getRequestMethod() + " " + (key == null ? "none" : key),
                    k -> new AtomicInteger()).incrementAndGet();
            if ("GET".equals(exchange.getRequestMethod())) {
                status(exchange);
                return;
            }
            requests.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean heavy = body.contains("\"name\":\"heavy-");
            String jobId = UUID.randomUUID().toString();
            if (!heavy) {
                submitted.put(jobId, Instant.now());
            }
            byte[] answer = (heavy ? "{\"title\":\"no\"}" : "{\"jobId\":\"" + jobId + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(heavy ? 400 : 202, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    private void status(HttpExchange exchange) throws IOException {
        statusRequests.incrementAndGet();
        Instant at = submitted.get(exchange.getRequestURI().getPath().substring("/jobs/".length()));
        byte[] answer = at == null ? "{\"title\":\"Job not found\"}".getBytes(StandardCharsets.UTF_8)
                : ("{\"status\":\"SUCCEEDED\",\"jobClass\":\"LIGHT\",\"submittedAt\":\"" + at
                        + "\",\"finishedAt\":\"" + at.plusMillis(40) + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(at == null ? 404 : 200, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void sendsOnScheduleAndCountsEachOutcome() {
        String target = "http://127.0.0.1:" + server.getAddress().getPort();
        LoadPlan plan = LoadPlan.parse("--target", target, "--duration", "2s", "--light-rate", "50",
                "--burst-at", "500ms", "--burst-for", "1s", "--burst-heavy-rate", "20", "--progress", "1s");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        LoadRun.SendReport report = new LoadRun(plan, new PrintStream(printed, true)).send();

        // 50/s for 2 s and 20/s for the 1 s burst, open loop: the counts follow the schedule, not the server.
        assertThat(report.byClass().get(dev.kiwo.model.JobClass.LIGHT).sent.sum()).isEqualTo(100);
        assertThat(report.byClass().get(dev.kiwo.model.JobClass.HEAVY).sent.sum()).isEqualTo(20);
        assertThat(report.byClass().get(dev.kiwo.model.JobClass.LIGHT).accepted.sum()).isEqualTo(100);
        assertThat(report.byClass().get(dev.kiwo.model.JobClass.HEAVY).rejected.sum()).isEqualTo(20);
        assertThat(report.accepted()).hasSize(100);
        assertThat(report.errors()).isZero();
        assertThat(report.latency().getTotalCount()).isEqualTo(120);
        // Every light request's latency, placed by when it was due: 50 per second from the start.
        assertThat(report.lightLatency()).hasSize(100);
        assertThat(report.lightLatency()).allSatisfy(t -> assertThat(t.offsetNanos()).isBetween(0L, 2_000_000_000L));
        assertThat(report.dueOffsets()).containsOnlyKeys(report.accepted().keySet());
        assertThat(report.startedAt()).isBefore(java.time.Instant.now());
        assertThat(requests.get()).isEqualTo(120);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("sent=", "accepted=");
    }

    @Test
    void warmUpSendsAtTheSteadyRatesButCountsNothing() {
        String target = "http://127.0.0.1:" + server.getAddress().getPort();
        LoadPlan plan = LoadPlan.parse("--target", target, "--warmup", "1s", "--duration", "2s", "--light-rate", "40",
                "--heavy-rate", "5", "--burst-at", "1s", "--burst-for", "500ms", "--burst-heavy-rate", "20");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        LoadRun.SendReport report = new LoadRun(plan, new PrintStream(printed, true)).send();

        // Warm-up, 1 s: 40 light and 5 heavy (rejected by the server), no burst. Measured, 2 s: 80 light, 10 steady
        // heavy and the burst's 10, which starts 1 s into the measured run, not into the warm-up.
        assertThat(requests.get()).isEqualTo(45 + 100);
        assertThat(report.byClass().get(dev.kiwo.model.JobClass.LIGHT).sent.sum()).isEqualTo(80);
        assertThat(report.byClass().get(dev.kiwo.model.JobClass.LIGHT).accepted.sum()).isEqualTo(80);
        assertThat(report.byClass().get(dev.kiwo.model.JobClass.HEAVY).sent.sum()).isEqualTo(20);
        assertThat(report.byClass().get(dev.kiwo.model.JobClass.HEAVY).rejected.sum()).isEqualTo(20);
        assertThat(report.accepted()).hasSize(80);
        assertThat(report.errors()).isZero();
        assertThat(report.latency().getTotalCount()).isEqualTo(100);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("warm-up: 1s");
    }

    @Test
    void jsonDashPrintsTheSummaryAsOneLineAfterIt() throws Exception {
        String target = "http://127.0.0.1:" + server.getAddress().getPort();
        LoadPlan plan = LoadPlan.parse("--target", target, "--duration", "2s", "--light-rate", "20",
                "--burst-at", "1s", "--burst-for", "500ms", "--burst-heavy-rate", "10", "--json", "-");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        LoadGenerator.run(plan, new PrintStream(printed, true, StandardCharsets.UTF_8));

        String[] lines = printed.toString(StandardCharsets.UTF_8).split("\n");
        JsonNode summary = JsonMapper.builder().build().readTree(lines[lines.length - 1]);
        assertThat(summary.path("figures").path("accepted").asLong()).isEqualTo(40);
        assertThat(summary.path("figures").path("lightPhases").path("before").path("postMs").path("count").asLong())
                .isEqualTo(20);
        assertThat(summary.path("figures").path("lightPhases").path("during").path("untilSeconds").asDouble())
                .isEqualTo(1.5);
        assertThat(summary.path("figures").path("lightTimeline").size()).isEqualTo(2);
        assertThat(lines).anyMatch(l -> l.startsWith("light during     1s-1.5s: POST p50 "))
                .noneMatch(l -> l.startsWith("summary written to"));
    }

    @Test
    void apiCompletionReportsEachClassFromTheJobsStatusAndSaysWhatItCannotAudit() throws Exception {
        String target = "http://127.0.0.1:" + server.getAddress().getPort();
        LoadPlan plan = LoadPlan.parse("--target", target, "--duration", "1s", "--light-rate", "30",
                "--burst-at", "500ms", "--burst-for", "500ms", "--burst-heavy-rate", "10", "--completion", "api",
                "--drain-timeout", "10s", "--json", "-");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        LoadGenerator.run(plan, new PrintStream(printed, true, StandardCharsets.UTF_8));

        String text = printed.toString(StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        JsonNode figures = JsonMapper.builder().build().readTree(lines[lines.length - 1]).path("figures");
        assertThat(figures.path("completion").asString()).isEqualTo("api");
        // Every accepted job asked for once: all had ended when following started.
        assertThat(statusRequests.get()).isEqualTo(30);
        assertThat(figures.path("results").path("light").path("expected").asLong()).isEqualTo(30);
        assertThat(figures.path("results").path("light").path("completed").asLong()).isEqualTo(30);
        assertThat(figures.path("results").path("light").path("endToEndMs").path("p99").asDouble())
                .isCloseTo(40.0, within(0.1));
        assertThat(figures.path("results").path("heavy").path("expected").asLong()).isZero();
        assertThat(figures.path("missing").asLong()).isZero();
        assertThat(figures.has("duplicates")).as("not visible through the API").isFalse();
        assertThat(figures.path("lightPhases").path("before").path("endToEndMs").path("count").asLong())
                .isEqualTo(15);
        assertThat(text).contains("\ncompletion       api (GET /jobs/{id} with Prefer: wait",
                "\nresults light    30/30 completed, end to end p50 40.0ms", "\nmissing          0\n",
                "\nduplicates       not audited");
    }

    @Test
    void anApiKeyGoesWithEveryPostAndStatusRequestAndNotIntoTheSummary() throws Exception {
        String target = "http://127.0.0.1:" + server.getAddress().getPort();
        String key = "k3y-0f-the-demo-tenant";
        LoadPlan plan = LoadPlan.parse(Map.of(), "--target", target, "--duration", "1s", "--light-rate", "10",
                "--burst-for", "0s", "--completion", "api", "--drain-timeout", "10s", "--json", "-", "--api-key", key);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        LoadGenerator.run(plan, new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(keysSeen).containsOnlyKeys("POST " + key, "GET " + key);
        assertThat(keysSeen.get("POST " + key)).hasValue(10);
        assertThat(keysSeen.get("GET " + key)).hasValue(10);
        assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain(key);
    }

    @Test
    void withoutAKeyNoHeaderIsSent() {
        String target = "http://127.0.0.1:" + server.getAddress().getPort();
        LoadPlan plan = LoadPlan.parse(Map.of(), "--target", target, "--duration", "1s", "--light-rate", "5",
                "--burst-for", "0s");

        new LoadRun(plan, new PrintStream(new ByteArrayOutputStream())).send();

        assertThat(List.copyOf(keysSeen.keySet())).containsExactly("POST none");
    }

    @Test
    void apiCompletionCountsJobsTheApiDoesNotKnowAsMissing() throws Exception {
        server.removeContext("/jobs");
        server.createContext("/jobs", exchange -> {
            byte[] answer = ("GET".equals(exchange.getRequestMethod()) ? "{\"title\":\"Job not found\"}"
                    : "{\"jobId\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders("GET".equals(exchange.getRequestMethod()) ? 404 : 202, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        String target = "http://127.0.0.1:" + server.getAddress().getPort();
        LoadPlan plan = LoadPlan.parse("--target", target, "--duration", "1s", "--light-rate", "5",
                "--burst-for", "0s", "--completion", "api", "--drain-timeout", "10s", "--json", "-");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        LoadGenerator.run(plan, new PrintStream(printed, true, StandardCharsets.UTF_8));

        String[] lines = printed.toString(StandardCharsets.UTF_8).split("\n");
        JsonNode figures = JsonMapper.builder().build().readTree(lines[lines.length - 1]).path("figures");
        assertThat(figures.path("missing").asLong()).isEqualTo(5);
        assertThat(figures.path("missingBy").path("NOT_FOUND").asLong()).isEqualTo(5);
        assertThat(lines).anyMatch(l -> l.equals("missing          5 by last status seen {NOT_FOUND=5}"))
                .noneMatch(l -> l.startsWith("drain timeout"));
    }

    @Test
    void countsUnreachableServerAsErrors() {
        server.stop(0);
        String target = "http://127.0.0.1:" + server.getAddress().getPort();
        LoadPlan plan = LoadPlan.parse("--target", target, "--duration", "1s", "--light-rate", "10",
                "--burst-for", "0s", "--request-timeout", "1s");

        LoadRun.SendReport report = new LoadRun(plan, new PrintStream(new ByteArrayOutputStream())).send();

        assertThat(report.errors()).isEqualTo(10);
        assertThat(report.errorKinds()).containsOnlyKeys("ConnectException");
        assertThat(report.accepted()).isEmpty();
    }
}
