package dev.kiwo.load;

import dev.kiwo.model.JobClass;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends the plan's jobs on an open-loop schedule and records what came back. Latency is measured from the
 * moment a request was due, not from when it went out, so a stalled server shows up in the figures
 * instead of silently slowing the load (coordinated omission). An optional warm-up sends at the steady rates
 * first and records nothing: a fresh client JVM and its connections are slow for the first seconds, which
 * would otherwise count as the server's latency.
 */
final class LoadRun {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final long HIGHEST_TRACKABLE_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final LoadPlan plan;
    private final PrintStream out;
    private final JobShapes shapes;
    private final JobShapes warmupShapes;
    private final HttpClient http;
    private final Semaphore inFlight;
    private final Recorder latency = new Recorder(HIGHEST_TRACKABLE_MICROS, 3);
    private final Histogram totalLatency = new Histogram(HIGHEST_TRACKABLE_MICROS, 3);
    private final Map<JobClass, Counts> byClass = new EnumMap<>(JobClass.class);
    private final Map<String, JobClass> accepted = new ConcurrentHashMap<>();
    private final Map<String, Long> dueOffsets = new ConcurrentHashMap<>();
    private final Queue<Timed> lightLatency = new ConcurrentLinkedQueue<>();
    private volatile long measuredStart;
    private final LongAdder errors = new LongAdder();
    private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();

    LoadRun(LoadPlan plan, PrintStream out) {
        this.plan = plan;
        this.out = out;
        this.shapes = new JobShapes(plan.seed());
        // Its own sequence, so a seed gives the same measured jobs with or without a warm-up.
        this.warmupShapes = new JobShapes(~plan.seed());
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(plan.requestTimeout())
                .executor(Executors.newFixedThreadPool(4, daemon("load-http")))
                .build();
        this.inFlight = new Semaphore(plan.concurrency());
        for (JobClass c : JobClass.values()) {
            byClass.put(c, new Counts());
        }
    }

    /** Runs the warm-up and then the schedule to its end, and waits for the requests in flight. */
    SendReport send() {
        URI jobs = plan.target().resolve("/jobs");
        if (!plan.warmup().isZero()) {
            warmUp(jobs);
        }
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        measuredStart = start;
        Stream burst = new Stream(JobClass.HEAVY, plan.burstFor().isZero() ? 0 : plan.burstHeavyRate(),
                plan.burstAt().toNanos(), plan.burstAt().toNanos() + plan.burstFor().toNanos());
        run(jobs, start, plan.duration(), true, burst);
        awaitInFlight();
        progress("sent", start);
        return new SendReport(Duration.ofNanos(System.nanoTime() - start), byClass, errors.sum(),
                Map.copyOf(errorKinds), totalLatency.copy(), Map.copyOf(accepted), startedAt,
                List.copyOf(lightLatency), Map.copyOf(dueOffsets));
    }

    /**
     * Warm-up requests still in flight when the measured run starts are left to finish: the server stays in the
     * steady state the warm-up reached, and their answers count nowhere.
     */
    private void warmUp(URI jobs) {
        out.printf("warm-up: %s at the steady rates, not counted%n", Report.seconds(plan.warmup()));
        run(jobs, System.nanoTime(), plan.warmup(), false, new Stream(JobClass.HEAVY, 0, 0, 0));
    }

    /** Sends the steady streams (and {@code burst}) from {@code start} for {@code length}, open loop. */
    private void run(URI jobs, long start, Duration length, boolean measured, Stream burst) {
        long end = start + length.toNanos();
        Stream light = new Stream(JobClass.LIGHT, plan.lightRate(), 0, Long.MAX_VALUE);
        Stream heavy = new Stream(JobClass.HEAVY, plan.heavyRate(), 0, Long.MAX_VALUE);
        long nextProgress = start + plan.progressEvery().toNanos();
        while (true) {
            Stream due = earliest(light, heavy, burst);
            long dueAt = due == null ? Long.MAX_VALUE : start + due.nextOffset();
            if (dueAt >= end) {
                break;
            }
            while (System.nanoTime() < dueAt) {
                if (measured && System.nanoTime() >= nextProgress) {
                    progress("send", start);
                    nextProgress += plan.progressEvery().toNanos();
                }
                LockSupport.parkNanos(Math.min(dueAt - System.nanoTime(), 50_000_000L));
            }
            due.advance();
            submit(jobs, due.jobClass, dueAt, measured);
        }
        // The last request may be due well before the end; the run still lasts its planned duration.
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(Math.min(end - System.nanoTime(), 50_000_000L));
        }
    }

    private void submit(URI jobs, JobClass jobClass, long dueAt, boolean measured) {
        inFlight.acquireUninterruptibly();
        if (measured) {
            byClass.get(jobClass).sent.increment();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(jobs)
                .timeout(plan.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(
                        (measured ? shapes : warmupShapes).next(jobClass))));
        if (plan.apiKey() != null) {
            request.header(LoadPlan.API_KEY_HEADER, plan.apiKey());
        }
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            try {
                if (measured) {
                    record(jobClass, dueAt, response, failure);
                }
            } finally {
                inFlight.release();
            }
        });
    }

    private void record(JobClass jobClass, long dueAt, HttpResponse<String> response, Throwable failure) {
        long micros = Math.max(0, (System.nanoTime() - dueAt) / 1_000);
        latency.recordValue(Math.min(micros, HIGHEST_TRACKABLE_MICROS));
        if (jobClass == JobClass.LIGHT) {
            lightLatency.add(new Timed(dueAt - measuredStart, micros));
        }
        Counts counts = byClass.get(jobClass);
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            fail(cause.getClass().getSimpleName());
        } else if (response.statusCode() == 202) {
            counts.accepted.increment();
            String jobId = JSON.readTree(response.body()).path("jobId").asString();
            dueOffsets.put(jobId, dueAt - measuredStart);
            accepted.put(jobId, jobClass);
        } else if (response.statusCode() >= 400 && response.statusCode() < 500) {
            counts.rejected.increment();
        } else {
            fail("HTTP " + response.statusCode());
        }
    }

    private void fail(String kind) {
        errors.increment();
        errorKinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    private void awaitInFlight() {
        long deadline = System.nanoTime() + plan.requestTimeout().toNanos() * 2;
        while (inFlight.availablePermits() < plan.concurrency() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000L);
        }
        int stuck = plan.concurrency() - inFlight.availablePermits();
        if (stuck > 0) {
            out.printf("warning: %d requests still in flight after the request timeout%n", stuck);
        }
    }

    private synchronized void progress(String phase, long start) {
        Histogram interval = latency.getIntervalHistogram();
        totalLatency.add(interval);
        long sent = 0;
        long ok = 0;
        long rejected = 0;
        for (Counts c : byClass.values()) {
            sent += c.sent.sum();
            ok += c.accepted.sum();
            rejected += c.rejected.sum();
        }
        out.printf("[%5.1fs] %-4s sent=%d accepted=%d rejected=%d errors=%d in-flight=%d | latency p50=%s p99=%s%n",
                (System.nanoTime() - start) / 1e9, phase, sent, ok, rejected, errors.sum(),
                plan.concurrency() - inFlight.availablePermits(),
                Report.millis(interval.getValueAtPercentile(50)), Report.millis(interval.getValueAtPercentile(99)));
    }

    private static Stream earliest(Stream... streams) {
        Stream best = null;
        for (Stream s : streams) {
            if (s.active() && (best == null || s.nextOffset() < best.nextOffset())) {
                best = s;
            }
        }
        return best;
    }

    static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** A fixed-rate schedule of one class between two offsets from the start of the run. */
    private static final class Stream {
        final JobClass jobClass;
        final double rate;
        final long from;
        final long until;
        long sent;

        Stream(JobClass jobClass, double rate, long from, long until) {
            this.jobClass = jobClass;
            this.rate = rate;
            this.from = from;
            this.until = until;
        }

        boolean active() {
            return rate > 0 && nextOffset() < until;
        }

        long nextOffset() {
            return from + (long) (sent * 1e9 / rate);
        }

        void advance() {
            sent++;
        }
    }

    static final class Counts {
        final LongAdder sent = new LongAdder();
        final LongAdder accepted = new LongAdder();
        final LongAdder rejected = new LongAdder();
    }

    /** One measured request: when it was due (nanoseconds from the start of the measured run) and its latency. */
    record Timed(long offsetNanos, long micros) {
    }

    /**
     * What was sent. {@code startedAt} is the wall-clock start of the measured run; {@code lightLatency} holds every
     * measured light request's POST latency, placed by when it was due; {@code dueOffsets} holds, per accepted job,
     * when its request was due (nanoseconds from the start of the measured run).
     */
    record SendReport(Duration elapsed, Map<JobClass, Counts> byClass, long errors, Map<String, LongAdder> errorKinds,
                      Histogram latency, Map<String, JobClass> accepted, Instant startedAt, List<Timed> lightLatency,
                      Map<String, Long> dueOffsets) {

        /** The accepted jobs in the order their requests were due. */
        List<String> acceptedInDueOrder() {
            return accepted.keySet().stream()
                    .sorted(Comparator.comparing(jobId -> dueOffsets.getOrDefault(jobId, Long.MAX_VALUE)))
                    .toList();
        }
    }
}
