package dev.kiwo.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The analysis of {@code scripts/k8s-e2e.sh}: reads what its sampler recorded during the load ({@link ClusterSeries}),
 * the load generator's JSON summary (the one line {@code --json -} prints, found in the Job's log) and the logs of the
 * heavy pool's pods; checks the demo's promise over the whole series; writes {@code figures.md},
 * {@code figures.json} and {@code timeline.png} to the output directory. Exit code 0 when every check held, 1 when
 * one failed, 2 on unusable input.
 *
 * <pre>
 * ClusterCheck --samples samples.csv --pods pods.csv --load load-job.log --pod-logs DIR --out DIR
 * </pre>
 */
public final class ClusterCheck {

    static final String HEAVY = "worker-heavy";
    static final String LIGHT = "worker-light";
    /** Spring Kafka's line when a listener container gets partitions: "group: partitions assigned: [t-0, t-3]". */
    static final long READY_TOLERANCE_MS = 2_000;
    static final Pattern HEAVY_PARTITIONS = Pattern.compile("partitions assigned: \\[([^\\]]*jobs\\.heavy-\\d+[^\\]]*)]");

    /** One check: a name, whether it held, and the figures that show it. */
    record Check(String name, boolean passed, String detail) {
    }

    /** The checks, the figures (for JSON) and the same figures as a markdown table. */
    record Outcome(List<Check> checks, Map<String, Object> figures, String table) {

        boolean passed() {
            return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
        }
    }

    private ClusterCheck() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        for (String required : List.of("--samples", "--pods", "--load", "--pod-logs", "--out")) {
            if (!options.containsKey(required) || args.length % 2 != 0) {
                System.err.println("usage: ClusterCheck --samples FILE --pods FILE --load FILE --pod-logs DIR --out DIR");
                System.exit(2);
                return;
            }
        }
        Path out = Path.of(options.get("--out"));
        JsonNode load = loadSummary(Path.of(options.get("--load")));
        if (load == null) {
            System.err.println("ClusterCheck: no JSON summary line in " + options.get("--load")
                    + " (the load generator needs --json - in its arguments)");
            System.exit(2);
            return;
        }
        ClusterSeries series = ClusterSeries.read(Path.of(options.get("--samples")), Path.of(options.get("--pods")));
        Outcome outcome = analyse(series, load, podLogs(Path.of(options.get("--pod-logs"))));
        write(outcome, series, load, out);
        print(outcome, System.out);
        System.exit(outcome.passed() ? 0 : 1);
    }

    /** The last line of the log that is a JSON object with a {@code figures} member, or null. */
    static JsonNode loadSummary(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        JsonMapper json = JsonMapper.builder().build();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i).trim();
            if (!line.startsWith("{")) {
                continue;
            }
            try {
                JsonNode node = json.readTree(line);
                if (node.has("figures")) {
                    return node;
                }
            } catch (RuntimeException e) {
                // Not the summary: a log line that happens to start with a brace.
            }
        }
        return null;
    }

    /** Every {@code <pod>.log} in the directory, by pod name. */
    static Map<String, String> podLogs(Path dir) throws IOException {
        Map<String, String> logs = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return logs;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".log")) {
                    logs.put(name.substring(0, name.length() - 4), Files.readString(f));
                }
            }
        }
        return logs;
    }

    static Outcome analyse(ClusterSeries series, JsonNode load, Map<String, String> podLogs) {
        JsonNode figures = load.path("figures");
        List<ClusterSeries.Sample> samples = series.samples();
        List<Check> checks = new ArrayList<>();
        Map<String, Object> out = new LinkedHashMap<>();

        Instant started = Instant.parse(figures.path("startedAt").asString());
        JsonNode during = figures.path("lightPhases").path("during");
        double burstFrom = during.path("fromSeconds").asDouble();
        double burstUntil = during.path("untilSeconds").asDouble();
        long burstStart = started.toEpochMilli() + Math.round(burstFrom * 1000);
        out.put("loadStartedAt", started.toString());
        out.put("burstFromSeconds", burstFrom);
        out.put("burstUntilSeconds", burstUntil);
        out.put("samples", samples.size());

        // The series must cover the run, or the checks below would hold vacuously.
        long before = samples.stream().filter(s -> s.epochMs() < burstStart).count();
        long after = samples.stream().filter(s -> s.epochMs() >= burstStart).count();
        checks.add(new Check("the samples cover the run and the load had a burst",
                burstUntil > burstFrom && before >= 1 && after >= 3,
                String.format(Locale.ROOT, "%d samples before the burst, %d from its start; burst %ss to %ss",
                        before, after, num(burstFrom), num(burstUntil))));

        // Heavy autoscaler: desired above its minimum once the burst started.
        int heavyMin = first(samples, col(HEAVY, "hpa_min")).orElse(-1);
        Optional<ClusterSeries.Sample> heavyUp = samples.stream()
                .filter(s -> s.epochMs() >= burstStart
                        && s.integer(col(HEAVY, "hpa_desired")).orElse(-1) > heavyMin && heavyMin >= 0)
                .findFirst();
        int heavyDesiredPeak = max(samples, col(HEAVY, "hpa_desired")).orElse(-1);
        out.put("heavyHpaMin", heavyMin);
        out.put("heavyHpaMax", first(samples, col(HEAVY, "hpa_max")).orElse(-1));
        out.put("heavyHpaDesiredPeak", heavyDesiredPeak);
        heavyUp.ifPresent(s -> out.put("secondsToHeavyDesiredAboveMin", since(burstStart, s.epochMs())));
        checks.add(new Check("worker-heavy's HPA wants more than its minimum after the burst starts",
                heavyUp.isPresent(), heavyUp.map(s -> String.format(Locale.ROOT,
                        "desired %d > min %d at %ss; peak desired %d", s.integer(col(HEAVY, "hpa_desired")).orElse(-1),
                        heavyMin, signed(since(burstStart, s.epochMs())), heavyDesiredPeak))
                        .orElse("desired never above min " + heavyMin + " (peak " + heavyDesiredPeak + ")")));

        // New heavy pods: Ready, and taking jobs.heavy partitions.
        Map<String, List<ClusterSeries.Pod>> added = series.newPods(HEAVY);
        // Ready once the burst started: Ready conditions have whole seconds, hence the tolerance.
        Map<String, Long> readyAt = new LinkedHashMap<>();
        added.forEach((pod, rounds) -> ClusterSeries.readyAt(rounds)
                .filter(t -> t >= burstStart - READY_TOLERANCE_MS).ifPresent(t -> readyAt.put(pod, t)));
        Optional<Map.Entry<String, Long>> firstReady = readyAt.entrySet().stream().min(Map.Entry.comparingByValue());
        out.put("newHeavyPods", new ArrayList<>(added.keySet()));
        out.put("newHeavyPodsReady", new ArrayList<>(readyAt.keySet()));
        firstReady.ifPresent(e -> out.put("secondsToFirstNewHeavyPodReady", since(burstStart, e.getValue())));
        checks.add(new Check("a new worker-heavy pod becomes Ready after the burst starts", firstReady.isPresent(),
                firstReady.map(e -> String.format(Locale.ROOT, "%s Ready at %ss; %d new, %d Ready since the burst",
                        e.getKey(), signed(since(burstStart, e.getValue())), added.size(), readyAt.size()))
                        .orElse(added.size() + " new pods, none Ready since the burst started")));
        Map<String, String> partitions = new LinkedHashMap<>();
        for (String pod : readyAt.keySet()) {
            Matcher m = HEAVY_PARTITIONS.matcher(podLogs.getOrDefault(pod, ""));
            if (m.find()) {
                partitions.put(pod, m.group(1));
            }
        }
        out.put("newHeavyPodPartitions", partitions);
        checks.add(new Check("a new worker-heavy pod is assigned jobs.heavy partitions", !partitions.isEmpty(),
                partitions.isEmpty() ? "no \"partitions assigned: [jobs.heavy-N...]\" line in the logs of "
                        + readyAt.keySet() : partitions.entrySet().iterator().next().getKey() + ": "
                        + partitions.entrySet().iterator().next().getValue()));

        // Heavy pool peak: the most Ready pods, and when it first got there.
        OptionalInt heavyPeak = max(samples, col(HEAVY, "ready"));
        Optional<ClusterSeries.Sample> atPeak = heavyPeak.isPresent() ? samples.stream()
                .filter(s -> s.integer(col(HEAVY, "ready")).orElse(-1) == heavyPeak.getAsInt()).findFirst()
                : Optional.empty();
        out.put("heavyReadyPeak", heavyPeak.orElse(-1));
        atPeak.ifPresent(s -> out.put("secondsToHeavyPeak", since(burstStart, s.epochMs())));

        // Light autoscaler: at its minimum in every sample.
        int lightMin = first(samples, col(LIGHT, "hpa_min")).orElse(-1);
        List<ClusterSeries.Sample> lightKnown = samples.stream()
                .filter(s -> s.integer(col(LIGHT, "hpa_desired")).isPresent()).toList();
        Optional<ClusterSeries.Sample> lightOff = lightKnown.stream()
                .filter(s -> s.integer(col(LIGHT, "hpa_desired")).orElseThrow() != lightMin).findFirst();
        out.put("lightHpaMin", lightMin);
        out.put("lightHpaDesiredPeak", max(samples, col(LIGHT, "hpa_desired")).orElse(-1));
        out.put("lightReadyPeak", max(samples, col(LIGHT, "ready")).orElse(-1));
        checks.add(new Check("worker-light's HPA stays at its minimum throughout",
                lightMin >= 0 && !lightKnown.isEmpty() && lightOff.isEmpty(),
                lightOff.map(s -> String.format(Locale.ROOT, "desired %d (min %d) at %ss from the burst start",
                                s.integer(col(LIGHT, "hpa_desired")).orElseThrow(), lightMin,
                                signed(since(burstStart, s.epochMs()))))
                        .orElse(String.format(Locale.ROOT, "desired %d in %d of %d samples", lightMin,
                                lightKnown.size(), samples.size()))));

        // Restarts and OOM kills anywhere in the namespace.
        int restarts = Math.max(max(samples, "restarts").orElse(0),
                series.pods().stream().mapToInt(ClusterSeries.Pod::restarts).max().orElse(0));
        List<String> oom = new ArrayList<>();
        samples.forEach(s -> addAll(oom, s.text("oomkilled")));
        series.pods().forEach(p -> addAll(oom, p.oomKilled()));
        out.put("restarts", restarts);
        out.put("oomKilled", oom);
        checks.add(new Check("no container restarted", restarts == 0 && max(samples, "restarts").isPresent(),
                restarts + " restarts"));
        checks.add(new Check("no container was OOMKilled", oom.isEmpty(), oom.isEmpty() ? "none" : String.join(", ", oom)));
        // An evicted or crashed pod is replaced rather than restarted: its restarts would not show.
        List<String> failedPods = series.pods().stream().filter(p -> "Failed".equals(p.phase()))
                .map(ClusterSeries.Pod::name).distinct().toList();
        out.put("failedPods", failedPods);
        checks.add(new Check("no pod failed or was evicted", failedPods.isEmpty(),
                failedPods.isEmpty() ? "none" : String.join(", ", failedPods)));

        // The load: every request accepted, every accepted job exactly one result, all of them completed.
        long sent = figures.path("sent").asLong();
        long accepted = figures.path("accepted").asLong();
        out.put("sent", sent);
        out.put("accepted", accepted);
        out.put("rejected", figures.path("rejected").asLong());
        out.put("errors", figures.path("errors").asLong());
        checks.add(new Check("every request was accepted (HTTP 202)",
                sent > 0 && sent == accepted && figures.path("errors").asLong() == 0,
                String.format(Locale.ROOT, "sent %d, accepted %d, rejected %d, errors %d", sent, accepted,
                        figures.path("rejected").asLong(), figures.path("errors").asLong())));
        JsonNode results = figures.path("results");
        boolean followed = figures.has("results") && figures.has("missing");
        long missing = figures.path("missing").asLong(-1);
        long duplicates = figures.path("duplicates").asLong(-1);
        out.put("missing", missing);
        out.put("duplicates", duplicates);
        checks.add(new Check("every accepted job has exactly one result", followed && missing == 0 && duplicates == 0,
                followed ? "missing " + missing + ", duplicates " + duplicates
                        : "no results followed (the load generator needs --bootstrap-servers)"));
        StringBuilder completion = new StringBuilder();
        boolean allCompleted = followed;
        for (String c : List.of("light", "heavy")) {
            JsonNode r = results.path(c);
            long expected = r.path("expected").asLong();
            long completed = r.path("completed").asLong();
            long failed = r.path("failed").asLong();
            allCompleted &= expected > 0 && completed == expected && failed == 0;
            completion.append(completion.isEmpty() ? "" : ", ").append(c).append(' ').append(completed).append('/')
                    .append(expected).append(failed > 0 ? " (" + failed + " failed)" : "");
            out.put(c + "Completed", completed);
            out.put(c + "Expected", expected);
            out.put(c + "Failed", failed);
        }
        checks.add(new Check("all light and heavy jobs completed", allCompleted, completion.toString()));

        // Light latency per phase, from the load generator.
        Map<String, Object> light = new LinkedHashMap<>();
        for (String phase : List.of("before", "during", "after")) {
            for (String kind : List.of("endToEndMs", "postMs")) {
                JsonNode p = figures.path("lightPhases").path(phase).path(kind);
                light.put(phase + "." + kind + ".count", p.path("count").asLong());
                light.put(phase + "." + kind + ".p50", p.has("p50") ? p.path("p50").asDouble() : null);
                light.put(phase + "." + kind + ".p99", p.has("p99") ? p.path("p99").asDouble() : null);
            }
        }
        out.put("light", light);
        boolean latencyKnown = light.get("before.endToEndMs.p99") != null && light.get("during.endToEndMs.p99") != null;
        checks.add(new Check("light end-to-end latency measured before and during the burst", latencyKnown,
                "before " + pair(light, "before.endToEndMs") + ", during " + pair(light, "during.endToEndMs")));

        out.put("checks", checks.stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("passed", c.passed());
            m.put("detail", c.detail());
            return m;
        }).toList());
        return new Outcome(checks, out, table(out, samples));
    }

    private static String table(Map<String, Object> f, List<ClusterSeries.Sample> samples) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("Load", String.format(Locale.ROOT, "%s jobs sent (light %s, heavy %s); heavy burst %ss to %ss",
                f.get("sent"), f.get("lightExpected"), f.get("heavyExpected"),
                num((double) f.get("burstFromSeconds")), num((double) f.get("burstUntilSeconds")))));
        rows.add(List.of("Samples", samples.size() + " (every " + interval(samples) + ")"));
        rows.add(List.of("Burst start → worker-heavy HPA desired > min (" + f.get("heavyHpaMin") + ")",
                seconds(f.get("secondsToHeavyDesiredAboveMin"))));
        rows.add(List.of("Burst start → first new worker-heavy pod Ready", seconds(f.get("secondsToFirstNewHeavyPodReady"))));
        rows.add(List.of("Burst start → worker-heavy at its peak", seconds(f.get("secondsToHeavyPeak"))));
        rows.add(List.of("worker-heavy peak: pods Ready / HPA desired / HPA max",
                f.get("heavyReadyPeak") + " / " + f.get("heavyHpaDesiredPeak") + " / " + f.get("heavyHpaMax")));
        rows.add(List.of("worker-light HPA desired: min / peak", f.get("lightHpaMin") + " / " + f.get("lightHpaDesiredPeak")));
        @SuppressWarnings("unchecked")
        Map<String, Object> light = (Map<String, Object>) f.get("light");
        rows.add(List.of("Light end to end p50 / p99, before the burst", pair(light, "before.endToEndMs")));
        rows.add(List.of("Light end to end p50 / p99, during the burst", pair(light, "during.endToEndMs")));
        rows.add(List.of("Light POST /jobs p50 / p99, before the burst", pair(light, "before.postMs")));
        rows.add(List.of("Light POST /jobs p50 / p99, during the burst", pair(light, "during.postMs")));
        rows.add(List.of("Jobs completed (light, heavy); missing; duplicates", String.format(Locale.ROOT,
                "%s/%s, %s/%s; %s; %s", f.get("lightCompleted"), f.get("lightExpected"), f.get("heavyCompleted"),
                f.get("heavyExpected"), f.get("missing"), f.get("duplicates"))));
        @SuppressWarnings("unchecked")
        List<String> oom = (List<String>) f.get("oomKilled");
        rows.add(List.of("Container restarts; OOMKilled", f.get("restarts") + "; " + (oom.isEmpty() ? "none" : oom.size())));
        return Markdown.table(List.of("Figure", "Value"), rows);
    }

    static void write(Outcome outcome, ClusterSeries series, JsonNode load, Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder md = new StringBuilder("# kiwo end-to-end check on Kubernetes\n\n")
                .append("Times are from the start of the heavy burst; autoscaler and pod counts are sampled, pod")
                .append(" readiness is the pod's Ready condition.\n\n")
                .append(outcome.table()).append("\n## Checks\n\n");
        for (Check c : outcome.checks()) {
            md.append("- ").append(c.passed() ? "ok" : "**FAILED**").append(": ").append(c.name()).append(" (")
                    .append(c.detail()).append(")\n");
        }
        md.append("\n![replicas and light latency](timeline.png)\n");
        Files.writeString(dir.resolve("figures.md"), md.toString());
        Files.writeString(dir.resolve("figures.json"), JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
                .build().writeValueAsString(outcome.figures()));
        chart(dir.resolve("timeline.png"), series, load);
    }

    /** Replicas per pool (left axis) and light p99 per second (right axis) over the run; the burst marked. */
    static void chart(Path png, ClusterSeries series, JsonNode load) throws IOException {
        JsonNode figures = load.path("figures");
        long start = Instant.parse(figures.path("startedAt").asString()).toEpochMilli();
        List<Charts.Line> replicas = new ArrayList<>();
        for (String pool : List.of(HEAVY, LIGHT)) {
            for (String what : List.of("ready", "hpa_desired")) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (ClusterSeries.Sample s : series.samples()) {
                    s.integer(col(pool, what)).ifPresent(v -> {
                        x.add((s.epochMs() - start) / 1000.0);
                        y.add((double) v);
                    });
                }
                replicas.add(new Charts.Line(pool + (what.equals("ready") ? " pods Ready" : " HPA desired"), x, y, false));
            }
        }
        List<Charts.Line> latency = new ArrayList<>();
        for (String kind : List.of("endToEnd", "post")) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (JsonNode second : figures.path("lightTimeline")) {
                JsonNode p99 = second.path(kind + "P99Ms");
                if (p99.isNumber()) {
                    x.add(second.path("second").asDouble() + 0.5);
                    y.add(p99.asDouble());
                }
            }
            latency.add(new Charts.Line(kind.equals("post") ? "light POST p99 (ms)" : "light end-to-end p99 (ms)",
                    x, y, false));
        }
        JsonNode during = figures.path("lightPhases").path("during");
        List<Charts.Marker> markers = List.of(
                new Charts.Marker(during.path("fromSeconds").asDouble(), "burst starts"),
                new Charts.Marker(during.path("untilSeconds").asDouble(), "burst ends"));
        Charts.twoAxes(png, "kiwo on Kubernetes: replicas per pool and light latency",
                "seconds since the load started", "replicas", replicas, "light p99 per second (ms)", latency, markers);
    }

    static void print(Outcome outcome, PrintStream out) {
        for (Check c : outcome.checks()) {
            out.printf("    %-6s %s: %s%n", c.passed() ? "ok" : "FAILED", c.name(), c.detail());
        }
    }

    static String col(String workload, String what) {
        return workload.replace('-', '_') + "_" + what;
    }

    private static Optional<Integer> first(List<ClusterSeries.Sample> samples, String column) {
        return samples.stream().map(s -> s.integer(column)).flatMap(Optional::stream).findFirst();
    }

    private static OptionalInt max(List<ClusterSeries.Sample> samples, String column) {
        return samples.stream().map(s -> s.integer(column)).flatMap(Optional::stream).mapToInt(Integer::intValue).max();
    }

    private static double since(long from, long at) {
        return Math.round((at - from) / 100.0) / 10.0;
    }

    private static void addAll(List<String> into, String semicolonSeparated) {
        for (String s : semicolonSeparated.split(";")) {
            if (!s.isBlank() && !into.contains(s.trim())) {
                into.add(s.trim());
            }
        }
    }

    private static String pair(Map<String, Object> light, String key) {
        Object p50 = light.get(key + ".p50");
        Object p99 = light.get(key + ".p99");
        if (p50 == null || p99 == null) {
            return "–";
        }
        return Markdown.ms((double) p50) + " / " + Markdown.ms((double) p99) + " ms (" + light.get(key + ".count") + " jobs)";
    }

    private static String seconds(Object value) {
        return value == null ? "–" : num((double) value) + " s";
    }

    private static String interval(List<ClusterSeries.Sample> samples) {
        if (samples.size() < 2) {
            return "–";
        }
        double span = (samples.get(samples.size() - 1).epochMs() - samples.get(0).epochMs()) / 1000.0;
        return String.format(Locale.ROOT, "%.1f s", span / (samples.size() - 1));
    }

    private static String signed(double v) {
        return (v < 0 ? "-" : "+") + num(Math.abs(v));
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
