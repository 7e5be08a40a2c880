package dev.kiwo.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Posts single jobs to {@code POST /jobs} at steady rates (open loop: a job is sent on schedule whatever the
 * answers to earlier ones), one stream per kind of job, each with sizes drawn uniformly from its ranges by a
 * generator seeded per stream, so two runs with the same seed send the very same jobs in the same order.
 */
final class PacedJobs {

    private static final Pattern JOB_ID = Pattern.compile("\"jobId\"\\s*:\\s*\"([^\"]+)\"");
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** A kind of job: its name and the inclusive ranges its sizes are drawn from. */
    record Shape(String kind, double minMb, double maxMb, int minPages, int maxPages, int minImages, int maxImages) {

        Shape {
            if (minMb < 0 || maxMb < minMb || minPages < 0 || maxPages < minPages || minImages < 0
                    || maxImages < minImages) {
                throw new IllegalArgumentException("bad size ranges for " + kind);
            }
        }
    }

    /** One kind of job sent at {@code perSecond}. */
    record Stream(Shape shape, double perSecond) {
    }

    /** An accepted job: what was sent and when. */
    record Submitted(String jobId, String kind, double fileSizeMb, int pageCount, int imageCount, Instant sentAt) {
    }

    /** The accepted jobs, and the requests that were not answered 202, by kind of failure. */
    record Result(List<Submitted> accepted, Map<String, Long> failures) {

        long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final URI jobs;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(REQUEST_TIMEOUT).build();

    PacedJobs(URI target) {
        this.jobs = target.resolve("/jobs");
    }

    /**
     * Sends every stream for {@code duration}, then waits (at most 30 s) for the last answers. Streams start
     * staggered by a fraction of their interval, so they do not all send in the same instant.
     */
    Result run(List<Stream> streams, Duration duration, long seed, String label, PrintStream out) {
        int n = streams.size();
        long[] intervals = new long[n];
        long[] next = new long[n];
        SplittableRandom[] sizes = new SplittableRandom[n];
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        for (int i = 0; i < n; i++) {
            double rate = streams.get(i).perSecond();
            intervals[i] = rate > 0 ? (long) (1e9 / rate) : Long.MAX_VALUE;
            next[i] = rate > 0 ? start + intervals[i] * i / Math.max(1, n) / 2 : Long.MAX_VALUE;
            sizes[i] = new SplittableRandom(seed + 7919L * i);
        }
        ConcurrentLinkedQueue<Submitted> accepted = new ConcurrentLinkedQueue<>();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        long nextProgress = start + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            int due = 0;
            for (int i = 1; i < n; i++) {
                if (next[i] < next[due]) {
                    due = i;
                }
            }
            if (n == 0 || next[due] >= end) {
                break;
            }
            long wait = next[due] - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            pending.add(send(streams.get(due).shape(), sizes[due], accepted, failures));
            next[due] += intervals[due];
            if (System.nanoTime() > nextProgress) {
                out.printf("      [%s %5.1fs] sent=%d accepted=%d%n", label, (System.nanoTime() - start) / 1e9,
                        pending.size(), accepted.size());
                nextProgress += TimeUnit.SECONDS.toNanos(10);
            }
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            failures.computeIfAbsent("unanswered after the load", k -> new LongAdder()).increment();
        }
        Map<String, Long> kinds = new LinkedHashMap<>();
        failures.forEach((k, v) -> kinds.put(k, v.sum()));
        return new Result(List.copyOf(accepted), kinds);
    }

    private CompletableFuture<Void> send(Shape shape, SplittableRandom random, ConcurrentLinkedQueue<Submitted> accepted,
                                         Map<String, LongAdder> failures) {
        double mb = Math.round(draw(random, shape.minMb(), shape.maxMb()) * 10) / 10.0;
        int pages = random.nextInt(shape.minPages(), shape.maxPages() + 1);
        int images = random.nextInt(shape.minImages(), shape.maxImages() + 1);
        String body = String.format(Locale.ROOT,
                "{\"name\":\"%s.pdf\",\"fileSizeMb\":%.1f,\"pageCount\":%d,\"imageCount\":%d}", shape.kind(), mb,
                pages, images);
        Instant sentAt = Instant.now();
        HttpRequest request = HttpRequest.newBuilder(jobs).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error != null) {
                failures.computeIfAbsent(error.getClass().getSimpleName(), k -> new LongAdder()).increment();
                return null;
            }
            Matcher id = JOB_ID.matcher(response.body());
            if (response.statusCode() == 202 && id.find()) {
                accepted.add(new Submitted(id.group(1), shape.kind(), mb, pages, images, sentAt));
            } else {
                failures.computeIfAbsent("HTTP " + response.statusCode(), k -> new LongAdder()).increment();
            }
            return null;
        });
    }

    private static double draw(SplittableRandom random, double min, double max) {
        return max > min ? random.nextDouble(min, max) : min;
    }
}
