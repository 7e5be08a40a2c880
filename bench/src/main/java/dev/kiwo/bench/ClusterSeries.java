package dev.kiwo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What {@code scripts/k8s-e2e.sh}'s sampler recorded, every few seconds while the load ran: {@code samples.csv}, one
 * row per round (autoscalers, ready pods per workload, restarts, OOM kills), and {@code pods.csv}, one row per pod
 * per round. Both have a header row; cells hold no commas; an empty cell is an unknown value.
 */
final class ClusterSeries {

    /** One sampling round: its time (epoch milliseconds) and the CSV's cells by column name. */
    record Sample(long epochMs, Map<String, String> cells) {

        Optional<Integer> integer(String column) {
            String v = cells.get(column);
            if (v == null || v.isBlank()) {
                return Optional.empty();
            }
            try {
                return Optional.of(Integer.parseInt(v.trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        String text(String column) {
            String v = cells.get(column);
            return v == null ? "" : v.trim();
        }
    }

    /** One pod as one round saw it. */
    record Pod(long epochMs, String name, String app, Instant created, String phase, boolean ready,
               Instant readySince, int restarts, String oomKilled) {
    }

    private final List<Sample> samples;
    private final List<Pod> pods;

    ClusterSeries(List<Sample> samples, List<Pod> pods) {
        this.samples = List.copyOf(samples);
        this.pods = List.copyOf(pods);
    }

    static ClusterSeries read(Path samplesCsv, Path podsCsv) throws IOException {
        List<Sample> samples = rows(samplesCsv, cells -> new Sample(epoch(cells), cells));
        List<Pod> pods = rows(podsCsv, cells -> new Pod(epoch(cells), cells.getOrDefault("pod", ""),
                cells.getOrDefault("app", ""), instant(cells.get("created")), cells.getOrDefault("phase", ""),
                "True".equals(cells.get("ready")), instant(cells.get("ready_since")),
                new Sample(0, cells).integer("restarts").orElse(0), cells.getOrDefault("oomkilled", "")));
        return new ClusterSeries(samples, pods);
    }

    List<Sample> samples() {
        return samples;
    }

    List<Pod> pods() {
        return pods;
    }

    /**
     * Pods of {@code app} that the first round did not see: the ones the autoscaler added. Without any pod in the
     * first round (its kubectl call failed), pods created after it started count as new.
     */
    Map<String, List<Pod>> newPods(String app) {
        Map<String, List<Pod>> byName = new LinkedHashMap<>();
        if (pods.isEmpty()) {
            return byName;
        }
        long first = pods.stream().mapToLong(Pod::epochMs).min().orElseThrow();
        Set<String> initial = new LinkedHashSet<>();
        pods.stream().filter(p -> p.epochMs() == first).forEach(p -> initial.add(p.name()));
        long firstSecond = first / 1000 * 1000;
        for (Pod p : pods) {
            if (!p.app().equals(app)) {
                continue;
            }
            boolean added = initial.isEmpty()
                    ? p.created() != null && p.created().toEpochMilli() >= firstSecond
                    : !initial.contains(p.name());
            if (added) {
                byName.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(p);
            }
        }
        return byName;
    }

    /**
     * When a pod became Ready: its Ready condition's transition time (second resolution) if a round saw it Ready,
     * else the first round that saw it Ready; empty if none did.
     */
    static Optional<Long> readyAt(List<Pod> rounds) {
        return rounds.stream().filter(Pod::ready).findFirst()
                .map(p -> p.readySince() != null ? p.readySince().toEpochMilli() : p.epochMs());
    }

    private static <T> List<T> rows(Path csv, Function<Map<String, String>, T> row) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<T> rows = new ArrayList<>();
        if (lines.isEmpty()) {
            return rows;
        }
        String[] header = lines.get(0).split(",", -1);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] values = line.split(",", -1);
            Map<String, String> cells = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                cells.put(header[i].trim(), i < values.length ? values[i] : "");
            }
            if (epochOrNull(cells) != null) {
                rows.add(row.apply(cells));
            }
        }
        return rows;
    }

    private static long epoch(Map<String, String> cells) {
        return epochOrNull(cells);
    }

    private static Long epochOrNull(Map<String, String> cells) {
        try {
            return Long.parseLong(cells.getOrDefault("epoch_ms", "").trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
