package dev.kiwo.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Light-job latencies placed on the run's time line (seconds since the load started, by submission time), cut
 * into the phases around a heavy burst and into fixed windows for the plot.
 */
final class LatencyTimeline {

    enum Phase { BEFORE, DURING, AFTER }

    /** One job: when it was submitted (seconds from the start of the load) and its end-to-end latency. */
    record Sample(double atSeconds, double latencyMs) {
    }

    /** A time window's statistics, for the plot. */
    record Window(double fromSeconds, Stats stats) {
    }

    private final List<Sample> samples;

    LatencyTimeline(List<Sample> samples) {
        this.samples = List.copyOf(samples);
    }

    /**
     * The statistics of each phase. Before: submitted after the warm-up and before the burst's first heavy job.
     * During: from the first heavy job's submission to the last heavy job's finish, while heavy work occupies
     * workers. After: later than that.
     */
    Map<Phase, Stats> phases(double warmupSeconds, double burstFromSeconds, double burstUntilSeconds) {
        Map<Phase, List<Double>> byPhase = new LinkedHashMap<>();
        for (Phase p : Phase.values()) {
            byPhase.put(p, new ArrayList<>());
        }
        for (Sample s : samples) {
            if (s.atSeconds() < warmupSeconds) {
                continue;
            }
            Phase phase = s.atSeconds() < burstFromSeconds ? Phase.BEFORE
                    : s.atSeconds() < burstUntilSeconds ? Phase.DURING : Phase.AFTER;
            byPhase.get(phase).add(s.latencyMs());
        }
        Map<Phase, Stats> stats = new LinkedHashMap<>();
        byPhase.forEach((phase, values) -> stats.put(phase, Stats.of(toArray(values))));
        return stats;
    }

    /** Statistics per window of {@code widthSeconds} from 0; empty windows are left out. */
    List<Window> windows(double widthSeconds) {
        Map<Long, List<Double>> byWindow = new TreeMap<>();
        for (Sample s : samples) {
            byWindow.computeIfAbsent((long) Math.floor(s.atSeconds() / widthSeconds), k -> new ArrayList<>())
                    .add(s.latencyMs());
        }
        List<Window> windows = new ArrayList<>();
        byWindow.forEach((index, values) -> windows.add(new Window(index * widthSeconds, Stats.of(toArray(values)))));
        return windows;
    }

    int size() {
        return samples.size();
    }

    List<Sample> samples() {
        return samples;
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
