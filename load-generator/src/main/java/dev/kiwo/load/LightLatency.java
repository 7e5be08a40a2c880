package dev.kiwo.load;

import dev.kiwo.model.JobClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Light jobs' latency around the heavy burst: per phase (before, during and after the burst) and per second of
 * the run. Every light job is placed by when its request was due, in seconds from the start of the measured run,
 * so a phase holds the jobs submitted in it. Two latencies: the POST's (from when it was due to the answer) and,
 * when results are followed, end to end (the result's {@code submittedAt} to its {@code finishedAt}).
 */
final class LightLatency {

    enum Phase { BEFORE, DURING, AFTER }

    /** A light job: when it was due (seconds from the start of the measured run) and a latency in microseconds. */
    record Sample(double atSeconds, long micros) {
    }

    private final double runSeconds;
    private final double burstFrom;
    private final double burstUntil;
    private final List<Sample> post;
    private final List<Sample> endToEnd;

    /**
     * @param endToEnd null when results were not followed
     */
    LightLatency(double runSeconds, double burstFrom, double burstUntil, List<Sample> post, List<Sample> endToEnd) {
        this.runSeconds = runSeconds;
        this.burstFrom = Math.min(burstFrom, runSeconds);
        this.burstUntil = Math.max(this.burstFrom, Math.min(burstUntil, runSeconds));
        this.post = List.copyOf(post);
        this.endToEnd = endToEnd == null ? null : List.copyOf(endToEnd);
    }

    /** The light jobs of a run; {@code results} null when the run did not follow them. */
    static LightLatency of(LoadPlan plan, LoadRun.SendReport sent, Map<String, Finished> results) {
        boolean burst = !plan.burstFor().isZero() && plan.burstHeavyRate() > 0;
        double run = seconds(plan.duration());
        double from = burst ? seconds(plan.burstAt()) : run;
        double until = burst ? seconds(plan.burstAt().plus(plan.burstFor())) : run;
        List<Sample> post = new ArrayList<>();
        for (LoadRun.Timed t : sent.lightLatency()) {
            post.add(new Sample(t.offsetNanos() / 1e9, t.micros()));
        }
        List<Sample> endToEnd = null;
        if (results != null) {
            endToEnd = new ArrayList<>();
            for (Map.Entry<String, JobClass> e : sent.accepted().entrySet()) {
                Finished result = results.get(e.getKey());
                Long due = sent.dueOffsets().get(e.getKey());
                if (e.getValue() != JobClass.LIGHT || result == null || due == null || result.endToEndMicros() < 0) {
                    continue;
                }
                endToEnd.add(new Sample(due / 1e9, result.endToEndMicros()));
            }
        }
        return new LightLatency(run, from, until, post, endToEnd);
    }

    Phase phaseOf(double atSeconds) {
        return atSeconds < burstFrom ? Phase.BEFORE : atSeconds < burstUntil ? Phase.DURING : Phase.AFTER;
    }

    /** Per phase: its bounds, and p50/p95/p99/max of each latency in milliseconds (empty when no job fell in it). */
    Map<String, Object> phases() {
        Map<String, Object> phases = new LinkedHashMap<>();
        for (Phase phase : Phase.values()) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("fromSeconds", phase == Phase.BEFORE ? 0.0 : phase == Phase.DURING ? burstFrom : burstUntil);
            figures.put("untilSeconds", phase == Phase.BEFORE ? burstFrom : phase == Phase.DURING ? burstUntil : runSeconds);
            figures.put("postMs", percentiles(histogram(post, phase)));
            if (endToEnd != null) {
                figures.put("endToEndMs", percentiles(histogram(endToEnd, phase)));
            }
            phases.put(name(phase), figures);
        }
        return phases;
    }

    /**
     * One entry per second of the run that had a light job: the second, how many light requests were due in it and
     * their POST p50/p99, and (when results are followed) how many of them finished and their end-to-end p50/p99.
     */
    List<Map<String, Object>> timeline() {
        Map<Long, Histogram> postBySecond = bySecond(post);
        Map<Long, Histogram> endToEndBySecond = endToEnd == null ? Map.of() : bySecond(endToEnd);
        TreeMap<Long, Boolean> seconds = new TreeMap<>();
        postBySecond.keySet().forEach(s -> seconds.put(s, true));
        endToEndBySecond.keySet().forEach(s -> seconds.put(s, true));
        List<Map<String, Object>> timeline = new ArrayList<>();
        for (long second : seconds.keySet()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("second", second);
            Histogram p = postBySecond.get(second);
            entry.put("requests", p == null ? 0 : p.getTotalCount());
            entry.put("postP50Ms", p == null ? null : ms(p.getValueAtPercentile(50)));
            entry.put("postP99Ms", p == null ? null : ms(p.getValueAtPercentile(99)));
            if (endToEnd != null) {
                Histogram e = endToEndBySecond.get(second);
                entry.put("finished", e == null ? 0 : e.getTotalCount());
                entry.put("endToEndP50Ms", e == null ? null : ms(e.getValueAtPercentile(50)));
                entry.put("endToEndP99Ms", e == null ? null : ms(e.getValueAtPercentile(99)));
            }
            timeline.add(entry);
        }
        return timeline;
    }

    /** One summary line per phase that had light requests, for the printed summary. */
    Map<String, String> lines() {
        Map<String, String> lines = new LinkedHashMap<>();
        for (Phase phase : Phase.values()) {
            Histogram p = histogram(post, phase);
            if (p.getTotalCount() == 0) {
                continue;
            }
            double from = phase == Phase.BEFORE ? 0 : phase == Phase.DURING ? burstFrom : burstUntil;
            double until = phase == Phase.BEFORE ? burstFrom : phase == Phase.DURING ? burstUntil : runSeconds;
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%ss-%ss: POST p50 %s p99 %s",
                    secs(from), secs(until), Report.millis(p.getValueAtPercentile(50)),
                    Report.millis(p.getValueAtPercentile(99))));
            if (endToEnd != null) {
                Histogram e = histogram(endToEnd, phase);
                line.append(e.getTotalCount() == 0 ? ", end to end -"
                        : ", end to end p50 " + Report.millis(e.getValueAtPercentile(50))
                        + " p99 " + Report.millis(e.getValueAtPercentile(99)));
                line.append(String.format(Locale.ROOT, " (%d sent, %d finished)", p.getTotalCount(), e.getTotalCount()));
            } else {
                line.append(String.format(Locale.ROOT, " (%d sent)", p.getTotalCount()));
            }
            lines.put("light " + name(phase), line.toString());
        }
        return lines;
    }

    static String name(Phase phase) {
        return phase.name().toLowerCase(Locale.ROOT);
    }

    private Histogram histogram(List<Sample> samples, Phase phase) {
        Histogram h = new Histogram(3);
        for (Sample s : samples) {
            if (phaseOf(s.atSeconds()) == phase) {
                h.recordValue(s.micros());
            }
        }
        return h;
    }

    private static Map<Long, Histogram> bySecond(List<Sample> samples) {
        Map<Long, Histogram> bySecond = new TreeMap<>();
        for (Sample s : samples) {
            bySecond.computeIfAbsent((long) Math.floor(s.atSeconds()), k -> new Histogram(3)).recordValue(s.micros());
        }
        return bySecond;
    }

    private static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("count", h.getTotalCount());
        if (h.getTotalCount() > 0) {
            p.put("p50", ms(h.getValueAtPercentile(50)));
            p.put("p95", ms(h.getValueAtPercentile(95)));
            p.put("p99", ms(h.getValueAtPercentile(99)));
            p.put("max", ms(h.getMaxValue()));
        }
        return p;
    }

    private static String secs(double seconds) {
        return seconds == Math.rint(seconds) ? String.format(Locale.ROOT, "%.0f", seconds)
                : String.format(Locale.ROOT, "%.1f", seconds);
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
