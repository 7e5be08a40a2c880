package dev.kiwo.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Clients that post light jobs to {@code POST /jobs} back to back, each waiting for its answer before sending the
 * next (closed loop): the API's throughput with a fixed number of requests in flight. Either single jobs (JSON,
 * answered 202) or NDJSON batches (answered 200, one line per job). A request counts when it was sent during the
 * measured time; its jobs count when the answer says ACCEPTED.
 *
 * <p>They run in the harness's JVM, which lives through the whole experiment, so they are warm and take less of
 * the machine than a fresh load-generator JVM per step: what saturates is the API, not its client.
 */
final class PostClients {

    static final String ACCEPTED = "\"status\":\"ACCEPTED\"";

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI jobs;
    private final int clients;
    private final int lines;
    private final boolean batch;
    private final byte[] body;
    private final HttpClient http;

    private PostClients(URI target, int clients, int lines, boolean batch) {
        this.jobs = target.resolve("/jobs");
        this.clients = clients;
        this.lines = lines;
        this.batch = batch;
        this.body = batch ? ndjson(lines) : job(0).getBytes(StandardCharsets.UTF_8);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(REQUEST_TIMEOUT)
                .build();
    }

    /** Clients posting one job per request. */
    static PostClients singleJobs(URI target, int clients) {
        return new PostClients(target, clients, 1, false);
    }

    /** Clients posting batches of {@code lines} jobs. */
    static PostClients batches(URI target, int clients, int lines) {
        return new PostClients(target, clients, lines, true);
    }

    /** What the measured requests gave: counts, the time they took and each request's latency in milliseconds. */
    record Result(int clients, int jobsPerRequest, long requests, long jobs, long rejected, long errors,
                  Map<String, Long> errorKinds, double elapsedSeconds, Stats latencyMs) {

        double requestsPerSecond() {
            return Markdown.divide(requests, elapsedSeconds);
        }

        double jobsPerSecond() {
            return Markdown.divide(jobs, elapsedSeconds);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clients", clients);
            m.put("jobsPerRequest", jobsPerRequest);
            m.put("requests", requests);
            m.put("acceptedJobs", jobs);
            m.put("rejected", rejected);
            m.put("errors", errors);
            m.put("errorKinds", errorKinds);
            m.put("elapsedSeconds", elapsedSeconds);
            m.put("requestsPerSecond", requestsPerSecond());
            m.put("jobsPerSecond", jobsPerSecond());
            m.put("latencyMs", latencyMs.toMap());
            return m;
        }
    }

    /** Sends for {@code warmup} without counting, then for {@code duration}; waits for the last answers. */
    Result run(Duration warmup, Duration duration, PrintStream out) throws InterruptedException {
        long start = System.nanoTime() + warmup.toNanos();
        long end = start + duration.toNanos();
        LongAdder requests = new LongAdder();
        LongAdder accepted = new LongAdder();
        LongAdder rejected = new LongAdder();
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Double> latency = new ConcurrentLinkedQueue<>();
        LongAccumulator lastAnswer = new LongAccumulator(Math::max, start);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                while (true) {
                    long sent = System.nanoTime();
                    if (sent >= end) {
                        return;
                    }
                    Outcome outcome = post();
                    long answered = System.nanoTime();
                    if (sent < start) {
                        continue;
                    }
                    lastAnswer.accumulate(answered);
                    if (outcome.error() != null) {
                        errors.computeIfAbsent(outcome.error(), k -> new LongAdder()).increment();
                    } else {
                        requests.increment();
                        accepted.add(outcome.accepted());
                        rejected.add(outcome.rejected());
                        latency.add((answered - sent) / 1e6);
                    }
                }
            }, "bench-post-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long nextProgress = start;
        for (Thread t : threads) {
            while (t.isAlive()) {
                t.join(1_000);
                if (System.nanoTime() >= nextProgress && System.nanoTime() > start) {
                    out.printf("      [%5.1fs] requests=%d jobs=%d errors=%d%n", (System.nanoTime() - start) / 1e9,
                            requests.sum(), accepted.sum(), errors.values().stream().mapToLong(LongAdder::sum).sum());
                    nextProgress = System.nanoTime() + 5_000_000_000L;
                }
            }
        }
        Map<String, Long> kinds = new LinkedHashMap<>();
        errors.forEach((k, v) -> kinds.put(k, v.sum()));
        return new Result(clients, lines, requests.sum(), accepted.sum(), rejected.sum(),
                kinds.values().stream().mapToLong(Long::longValue).sum(), kinds,
                (lastAnswer.get() - start) / 1e9,
                Stats.of(latency.stream().mapToDouble(Double::doubleValue).toArray()));
    }

    private record Outcome(long accepted, long rejected, String error) {
    }

    private Outcome post() {
        HttpRequest request = HttpRequest.newBuilder(jobs).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", batch ? "application/x-ndjson" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (batch && response.statusCode() == 200) {
                long[] counts = count(response.body());
                return new Outcome(counts[0], counts[1], null);
            }
            if (!batch && response.statusCode() == 202) {
                return new Outcome(1, 0, null);
            }
            if (!batch && response.statusCode() == 400) {
                return new Outcome(0, 1, null);
            }
            return new Outcome(0, 0, "HTTP " + response.statusCode());
        } catch (IOException e) {
            return new Outcome(0, 0, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(0, 0, "interrupted");
        }
    }

    /** Accepted and other lines of a batch's answer. */
    static long[] count(String answer) {
        long accepted = 0;
        long other = 0;
        for (String line : answer.split("\n")) {
            if (line.contains(ACCEPTED)) {
                accepted++;
            } else if (!line.isBlank()) {
                other++;
            }
        }
        return new long[] {accepted, other};
    }

    /** Light jobs, one per line, each with its own name; no idempotency key, so each gets a new jobId. */
    static byte[] ndjson(int lines) {
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            ndjson.append(job(i)).append('\n');
        }
        return ndjson.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String job(int number) {
        return String.format(Locale.ROOT,
                "{\"name\":\"light-%04d.pdf\",\"fileSizeMb\":1.05,\"pageCount\":5,\"imageCount\":1}", number);
    }
}
