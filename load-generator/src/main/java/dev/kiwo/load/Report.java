package dev.kiwo.load;

import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;

/** The figures of a run, printed for people and kept as a map for a JSON file. */
final class Report {

    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final StringBuilder text = new StringBuilder();

    /** {@code outcome} is null when the run did not follow its jobs to their end. */
    Report(LoadPlan plan, LoadRun.SendReport sent, CompletionWatch.Outcome outcome) {
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
        if (outcome != null) {
            reportResults(sent.accepted(), outcome);
        }
        LightLatency light = LightLatency.of(plan, sent, outcome == null ? null : outcome.finished());
        figures.put("lightPhases", light.phases());
        figures.put("lightTimeline", light.timeline());
        light.lines().forEach(this::line);
    }

    private void reportResults(Map<String, JobClass> accepted, CompletionWatch.Outcome outcome) {
        boolean api = outcome.completion() == LoadPlan.Completion.API;
        Map<JobClass, Histogram> endToEnd = new EnumMap<>(JobClass.class);
        Map<JobClass, Long> done = new EnumMap<>(JobClass.class);
        Map<JobClass, Long> failed = new EnumMap<>(JobClass.class);
        Map<String, Long> missingBy = new TreeMap<>();
        long missing = 0;
        for (Map.Entry<String, JobClass> e : accepted.entrySet()) {
            Finished result = outcome.finished().get(e.getKey());
            if (result == null) {
                missing++;
                if (api) {
                    missingBy.merge(whyMissing(outcome, e.getKey()), 1L, Long::sum);
                }
                continue;
            }
            // A job that ended before the classifier saw it (cancelled early) counts in the class it was sent as.
            JobClass jobClass = result.jobClass() == null ? e.getValue() : result.jobClass();
            done.merge(jobClass, 1L, Long::sum);
            if (result.status() != JobStatus.SUCCEEDED) {
                failed.merge(jobClass, 1L, Long::sum);
            }
            long micros = result.endToEndMicros();
            if (micros >= 0) {
                endToEnd.computeIfAbsent(jobClass, c -> new Histogram(3)).recordValue(micros);
            }
        }
        line("completion", api
                ? "api (GET /jobs/{id} with Prefer: wait, after sending; end to end = finishedAt - submittedAt)"
                : "kafka (jobs.results, read_committed; end to end = finishedAt - submittedAt)");
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
        figures.put("completion", outcome.completion().name().toLowerCase(Locale.ROOT));
        figures.put("results", completion);
        figures.put("missing", missing);
        if (api) {
            figures.put("missingBy", missingBy);
            figures.put("statusErrors", new TreeMap<>(outcome.errors()));
            line("missing", missing + (missingBy.isEmpty() ? "" : " by last status seen " + missingBy));
            line("duplicates", "not audited: the API shows one status per job; --completion kafka reads "
                    + "jobs.results and counts them");
            long statusErrors = outcome.errors().values().stream().mapToLong(Long::longValue).sum();
            if (statusErrors > 0) {
                line("status errors", statusErrors + " " + new TreeMap<>(outcome.errors())
                        + "  (GET /jobs/{id}, asked again)");
            }
        } else {
            figures.put("duplicates", outcome.duplicates());
            line("missing", String.valueOf(missing));
            line("duplicates", String.valueOf(outcome.duplicates()));
        }
    }

    /** Why the API gave no end for a job: its last status, NOT_FOUND (404) or NO_ANSWER. */
    private static String whyMissing(CompletionWatch.Outcome outcome, String jobId) {
        if (outcome.notFound().contains(jobId)) {
            return "NOT_FOUND";
        }
        JobStatus last = outcome.lastSeen().get(jobId);
        return last == null ? "NO_ANSWER" : last.name();
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
