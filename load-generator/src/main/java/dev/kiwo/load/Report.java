package dev.kiwo.load;

import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;

/** The figures of a run, printed for people and kept as a map for a JSON file. */
final class Report {

    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final StringBuilder text = new StringBuilder();

    Report(LoadPlan plan, LoadRun.SendReport sent, Map<String, JobResult> results, long duplicates) {
        line("target", plan.target().toString());
        line("plan", String.format(Locale.ROOT, "%s at light %s/s, heavy %s/s, burst %s heavy/s from %s for %s%s",
                seconds(plan.duration()), plan.lightRate(), plan.heavyRate(), plan.burstHeavyRate(),
                seconds(plan.burstAt()), seconds(plan.burstFor()),
                plan.warmup().isZero() ? "" : ", after a " + seconds(plan.warmup()) + " warm-up not counted"));
        long total = 0;
        long accepted = 0;
        long rejected = 0;
        Map<String, Object> classes = new LinkedHashMap<>();
        for (Map.Entry<JobClass, LoadRun.Counts> e : sent.byClass().entrySet()) {
            LoadRun.Counts c = e.getValue();
            total += c.sent.sum();
            accepted += c.accepted.sum();
            rejected += c.rejected.sum();
            Map<String, Long> counts = new LinkedHashMap<>();
            counts.put("sent", c.sent.sum());
            counts.put("accepted", c.accepted.sum());
            counts.put("rejected", c.rejected.sum());
            classes.put(e.getKey().name().toLowerCase(Locale.ROOT), counts);
        }
        figures.put("startedAt", sent.startedAt().toString());
        figures.put("elapsedSeconds", sent.elapsed().toMillis() / 1000.0);
        figures.put("sent", total);
        figures.put("accepted", accepted);
        figures.put("rejected", rejected);
        figures.put("errors", sent.errors());
        figures.put("acceptLatencyMs", percentiles(sent.latency()));
        figures.put("byClass", classes);
        line("sent", total + String.format(Locale.ROOT, " in %.1f s (%.0f/s)", sent.elapsed().toMillis() / 1000.0,
                total / Math.max(0.001, sent.elapsed().toMillis() / 1000.0)));
        line("accepted", accepted + " (HTTP 202)");
        line("rejected", rejected + " (HTTP 4xx)");
        line("errors", sent.errors() + (sent.errorKinds().isEmpty() ? "" : " " + sent.errorKinds()));
        line("latency", describe(sent.latency()) + "  (POST /jobs, from when each request was due)");
        classes.forEach((name, counts) -> line(name, counts.toString()));
        if (results != null) {
            reportResults(sent.accepted(), results, duplicates);
        }
        LightLatency light = LightLatency.of(plan, sent, results);
        figures.put("lightPhases", light.phases());
        figures.put("lightTimeline", light.timeline());
        light.lines().forEach(this::line);
    }

    private void reportResults(Map<String, JobClass> accepted, Map<String, JobResult> results, long duplicates) {
        Map<JobClass, Histogram> endToEnd = new EnumMap<>(JobClass.class);
        Map<JobClass, Long> done = new EnumMap<>(JobClass.class);
        Map<JobClass, Long> failed = new EnumMap<>(JobClass.class);
        long missing = 0;
        for (Map.Entry<String, JobClass> e : accepted.entrySet()) {
            JobResult result = results.get(e.getKey());
            if (result == null) {
                missing++;
                continue;
            }
            done.merge(result.jobClass(), 1L, Long::sum);
            if (result.status() != JobStatus.SUCCEEDED) {
                failed.merge(result.jobClass(), 1L, Long::sum);
            }
            long micros = Duration.between(result.submittedAt(), result.finishedAt()).toNanos() / 1_000;
            endToEnd.computeIfAbsent(result.jobClass(), c -> new Histogram(3)).recordValue(Math.max(0, micros));
        }
        Map<String, Object> completion = new LinkedHashMap<>();
        for (JobClass c : JobClass.values()) {
            long expected = accepted.values().stream().filter(c::equals).count();
            Histogram h = endToEnd.get(c);
            String name = c.name().toLowerCase(Locale.ROOT);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("expected", expected);
            figures.put("completed", done.getOrDefault(c, 0L));
            figures.put("failed", failed.getOrDefault(c, 0L));
            figures.put("endToEndMs", h == null ? Map.of() : percentiles(h));
            completion.put(name, figures);
            line("results " + name, done.getOrDefault(c, 0L) + "/" + expected + " completed"
                    + (h == null ? "" : ", end to end " + describe(h)));
        }
        figures.put("results", completion);
        figures.put("missing", missing);
        figures.put("duplicates", duplicates);
        line("missing", String.valueOf(missing));
        line("duplicates", String.valueOf(duplicates));
    }

    long accepted() {
        return (long) figures.get("accepted");
    }

    Map<String, Object> figures() {
        return figures;
    }

    void print(PrintStream out) {
        out.println("== kiwo load summary ==");
        out.print(text);
    }

    private void line(String key, String value) {
        text.append(String.format(Locale.ROOT, "%-16s %s%n", key, value));
    }

    private static Map<String, Double> percentiles(AbstractHistogram h) {
        Map<String, Double> p = new LinkedHashMap<>();
        p.put("p50", h.getValueAtPercentile(50) / 1000.0);
        p.put("p95", h.getValueAtPercentile(95) / 1000.0);
        p.put("p99", h.getValueAtPercentile(99) / 1000.0);
        p.put("max", h.getMaxValue() / 1000.0);
        return p;
    }

    private static String describe(AbstractHistogram h) {
        return "p50 " + millis(h.getValueAtPercentile(50)) + "  p95 " + millis(h.getValueAtPercentile(95))
                + "  p99 " + millis(h.getValueAtPercentile(99)) + "  max " + millis(h.getMaxValue());
    }

    static String millis(long micros) {
        return String.format(Locale.ROOT, "%.1fms", micros / 1000.0);
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.0fs", d.toMillis() / 1000.0);
    }
}
