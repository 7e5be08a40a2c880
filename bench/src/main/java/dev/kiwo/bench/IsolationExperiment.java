package dev.kiwo.bench;

import dev.kiwo.bench.LatencyTimeline.Phase;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Shared pool against split pools with the same worker capacity and the same load: a steady light stream and a
 * heavy burst. Light-job end-to-end latency (submitted to finished, from each JobResult) before, during and after
 * the burst, per mode.
 */
final class IsolationExperiment implements Experiment {

    private static final String SHARED = "shared";
    private static final String SPLIT = "split";

    @Override
    public String name() {
        return "isolation";
    }

    @Override
    public void run(Params params, LocalStack stack, BenchReport report, Path outDir, PrintStream out)
            throws Exception {
        List<String> modes = params.strings("modes", SHARED + "," + SPLIT, SHARED + "," + SPLIT);
        double lightRate = params.number("light-rate", 5, 5);
        double burstRate = params.number("burst-heavy-rate", 1, 1);
        Duration duration = params.duration("duration", "40s", "120s");
        Duration burstAt = params.duration("burst-at", "8s", "25s");
        Duration burstFor = params.duration("burst-for", "5s", "20s");
        Duration warmup = params.duration("warmup", "2s", "5s");
        Duration modeWarmup = params.duration("mode-warmup", "10s", "20s");
        double warmupRate = params.number("warmup-rate", 10, 10);
        Duration drainTimeout = params.duration("drain-timeout", "45s", "150s");
        double window = params.duration("window", "1s", "2s").toMillis() / 1000.0;
        int lightConcurrency = params.integer("light-concurrency", 4, 4);
        int heavyConcurrency = params.integer("heavy-concurrency", 1, 1);
        int sharedConcurrency = params.integer("shared-concurrency", lightConcurrency + heavyConcurrency,
                lightConcurrency + heavyConcurrency);
        boolean pin = Cpus.pin(params);
        String lightCpus = params.string("light-cpus", "0", "0");
        String heavyCpus = params.string("heavy-cpus", "1", "1");
        String sharedCpus = params.string("shared-cpus", "0,1", "0,1");
        List<String> jvm = params.strings("worker-jvm", "-Xms64m,-Xmx384m,-XX:+UseSerialGC",
                "-Xms64m,-Xmx384m,-XX:+UseSerialGC");

        out.println("[isolation] broker, api and classifier");
        stack.startBroker();
        LocalStack.Service api = stack.startApi(jvm);
        LocalStack.Service classifier = stack.startClassifier(jvm);
        api.awaitReady();
        classifier.awaitReady();
        Map<String, Object> byMode = new LinkedHashMap<>();
        Map<String, LatencyTimeline> timelines = new LinkedHashMap<>();
        for (String mode : modes) {
            String run = mode + "-" + System.currentTimeMillis();
            List<LocalStack.Service> workers = new ArrayList<>();
            List<String> pools;
            out.printf("%n[isolation] mode %s: starting workers%n", mode);
            if (SHARED.equals(mode)) {
                pools = List.of(SHARED);
                workers.add(stack.startPool("worker-shared", "worker-light", pin ? sharedCpus : null, jvm,
                        "bench-" + run, sharedConcurrency, List.of(
                                "--kiwo.worker.topics=jobs.light,jobs.heavy", "--kiwo.worker.pool=shared",
                                // One pool that takes heavy jobs needs the heavy pool's poll settings, or a poll of
                                // ten heavy jobs would exceed the poll interval.
                                "--spring.kafka.consumer.max-poll-records=1",
                                "--spring.kafka.consumer.properties[max.poll.interval.ms]=600000")));
            } else if (SPLIT.equals(mode)) {
                pools = List.of("light", "heavy");
                workers.add(stack.startPool("worker-light", "worker-light", pin ? lightCpus : null, jvm,
                        "bench-" + run + "-light", lightConcurrency, List.of()));
                workers.add(stack.startPool("worker-heavy", "worker-heavy", pin ? heavyCpus : null, jvm,
                        "bench-" + run + "-heavy", heavyConcurrency, List.of()));
            } else {
                throw new IllegalArgumentException("unknown mode " + mode + " (shared, split)");
            }
            for (LocalStack.Service w : workers) {
                w.awaitReady();
                w.awaitAssigned();
            }
            // Warm every JVM of the path (API, classifier, these workers) and let the warm-up drain, so the
            // measured load starts on warm code and empty topics.
            out.printf("[isolation] mode %s: workers ready (%s); warm-up for %ss at %s light/s (not measured)%n", mode,
                    workers.stream().map(w -> w.name + " pid " + w.process.pid()).toList(), modeWarmup.toSeconds(),
                    warmupRate);
            try (ResultCollector warm = new ResultCollector(stack.clientProperties())) {
                Map<String, Object> warmLoad = LoadGeneratorProcess.run(stack.layout(), stack.runDir(),
                        "warmup-" + mode, List.of("--target", "http://localhost:" + api.port,
                                "--duration", modeWarmup.toSeconds() + "s", "--light-rate", String.valueOf(warmupRate),
                                "--burst-for", "0s", "--progress", "5s"), modeWarmup.plusMinutes(2), out);
                drain(warm, pools, Instant.EPOCH, LoadGeneratorProcess.number(warmLoad, "accepted"), drainTimeout,
                        out);
            }
            out.printf("[isolation] mode %s: load for %ss%n", mode, duration.toSeconds());
            Map<String, Object> load;
            List<JobResult> results;
            Instant loadStart = Instant.now();
            try (ResultCollector collector = new ResultCollector(stack.clientProperties())) {
                load = LoadGeneratorProcess.run(stack.layout(), stack.runDir(), "load-" + mode, List.of(
                        "--target", "http://localhost:" + api.port,
                        "--duration", duration.toSeconds() + "s",
                        "--light-rate", String.valueOf(lightRate),
                        "--burst-at", burstAt.toSeconds() + "s",
                        "--burst-for", burstFor.toSeconds() + "s",
                        "--burst-heavy-rate", String.valueOf(burstRate),
                        "--progress", "5s"), duration.plusMinutes(2), out);
                long accepted = LoadGeneratorProcess.number(load, "accepted");
                results = drain(collector, pools, loadStart, accepted, drainTimeout, out);
            }
            workers.forEach(LocalStack.Service::stop);
            Map<String, Object> figures = analyse(results, LoadGeneratorProcess.number(load, "accepted"),
                    warmup.toMillis() / 1000.0, window, timelines, mode);
            figures.put("workers", workers.stream().map(w -> w.name).toList());
            figures.put("load", load);
            byMode.put(mode, figures);
        }
        report.put("modes", byMode);
        summarise(report, byMode, outDir, timelines, burstAt, burstFor, pin, lightCpus, heavyCpus, sharedCpus);
    }

    /** Waits for {@code accepted} results of jobs submitted since {@code since}; returns those results. */
    private static List<JobResult> drain(ResultCollector collector, List<String> pools, Instant since, long accepted,
                                         Duration timeout, PrintStream out) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextProgress = 0;
        while (true) {
            List<JobResult> results = collector.fromPools(pools).stream()
                    .filter(r -> !r.submittedAt().isBefore(since)).toList();
            if (results.size() >= accepted) {
                return results;
            }
            if (System.nanoTime() > deadline) {
                out.printf("    drain timeout: %d of %d results%n", results.size(), accepted);
                return results;
            }
            if (System.nanoTime() > nextProgress) {
                out.printf("    waiting for results: %d of %d%n", results.size(), accepted);
                nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    private static Map<String, Object> analyse(List<JobResult> results, long accepted, double warmup, double window,
                                               Map<String, LatencyTimeline> timelines, String mode) {
        Instant t0 = results.stream().map(JobResult::submittedAt).min(Comparator.naturalOrder()).orElse(Instant.EPOCH);
        List<LatencyTimeline.Sample> light = new ArrayList<>();
        double burstFrom = Double.POSITIVE_INFINITY;
        double heavyDone = Double.NEGATIVE_INFINITY;
        double lastHeavySubmitted = Double.NEGATIVE_INFINITY;
        int heavy = 0;
        for (JobResult r : results) {
            double at = seconds(t0, r.submittedAt());
            if (r.jobClass() == JobClass.LIGHT) {
                light.add(new LatencyTimeline.Sample(at, seconds(r.submittedAt(), r.finishedAt()) * 1000));
            } else {
                heavy++;
                burstFrom = Math.min(burstFrom, at);
                lastHeavySubmitted = Math.max(lastHeavySubmitted, at);
                heavyDone = Math.max(heavyDone, seconds(t0, r.finishedAt()));
            }
        }
        light.sort(Comparator.comparingDouble(LatencyTimeline.Sample::atSeconds));
        LatencyTimeline timeline = new LatencyTimeline(light);
        timelines.put(mode, timeline);
        Map<Phase, Stats> phases = timeline.phases(warmup, burstFrom, heavyDone);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("accepted", accepted);
        f.put("completed", results.size());
        f.put("heavyCompleted", heavy);
        f.put("burstFirstSubmittedSeconds", finite(burstFrom));
        f.put("burstLastSubmittedSeconds", finite(lastHeavySubmitted));
        f.put("heavyDrainedSeconds", finite(heavyDone));
        Map<String, Object> p = new LinkedHashMap<>();
        phases.forEach((phase, stats) -> p.put(phase.name().toLowerCase(Locale.ROOT), stats.toMap()));
        f.put("lightPhasesMs", p);
        f.put("lightP99DuringOverBefore", finite(Markdown.divide(phases.get(Phase.DURING).p99(),
                phases.get(Phase.BEFORE).p99())));
        List<Map<String, Object>> windows = new ArrayList<>();
        for (LatencyTimeline.Window w : timeline.windows(window)) {
            Map<String, Object> m = new LinkedHashMap<>(w.stats().toMap());
            m.put("fromSeconds", w.fromSeconds());
            windows.add(m);
        }
        f.put("lightWindows", windows);
        f.put("lightSamples", light.stream().map(s -> List.of(round(s.atSeconds(), 3), round(s.latencyMs(), 1)))
                .toList());
        return f;
    }

    @SuppressWarnings("unchecked")
    private static void summarise(BenchReport report, Map<String, Object> byMode, Path outDir,
                                  Map<String, LatencyTimeline> timelines, Duration burstAt, Duration burstFor, boolean pin, String lightCpus,
                                  String heavyCpus, String sharedCpus) throws Exception {
        List<List<String>> rows = new ArrayList<>();
        Map<String, Map<String, Double>> p99 = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : byMode.entrySet()) {
            Map<String, Object> f = (Map<String, Object>) e.getValue();
            Map<String, Object> phases = (Map<String, Object>) f.get("lightPhasesMs");
            Map<String, Double> modeP99 = new LinkedHashMap<>();
            for (Phase phase : Phase.values()) {
                Map<String, Object> s = (Map<String, Object>) phases.get(phase.name().toLowerCase(Locale.ROOT));
                rows.add(List.of(e.getKey(), phase.name().toLowerCase(Locale.ROOT), String.valueOf(s.get("count")),
                        Markdown.ms(value(s, "p50")), Markdown.ms(value(s, "p95")), Markdown.ms(value(s, "p99")),
                        Markdown.ms(value(s, "max"))));
                modeP99.put(phase.name(), value(s, "p99"));
            }
            p99.put(e.getKey(), modeP99);
        }
        StringBuilder md = new StringBuilder("## Light-job end-to-end latency (ms)\n\n");
        md.append(Markdown.table(List.of("mode", "phase", "jobs (n)", "p50", "p95", "p99", "max"), rows));
        md.append("\nPhases by submission time: *before* = after the warm-up, before the first heavy job; *during* = "
                + "from the first heavy job's submission to the last heavy job's finish; *after* = later.\n\n");
        List<List<String>> ratios = new ArrayList<>();
        Map<String, Object> ratioFigures = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Double>> e : p99.entrySet()) {
            double r = Markdown.divide(e.getValue().get("DURING"), e.getValue().get("BEFORE"));
            ratios.add(List.of(e.getKey() + ": light p99 during / before the burst", Markdown.ratio(r)));
            ratioFigures.put(e.getKey() + "DuringOverBefore", finite(r));
        }
        if (p99.containsKey(SHARED) && p99.containsKey(SPLIT)) {
            double r = Markdown.divide(p99.get(SHARED).get("DURING"), p99.get(SPLIT).get("DURING"));
            ratios.add(List.of("light p99 during the burst: shared / split", Markdown.ratio(r)));
            ratioFigures.put("sharedOverSplitDuring", finite(r));
        }
        report.put("ratios", ratioFigures);
        md.append(Markdown.table(List.of("ratio (p99)", "value"), ratios));
        for (Map.Entry<String, Object> e : byMode.entrySet()) {
            Map<String, Object> f = (Map<String, Object>) e.getValue();
            md.append(String.format(Locale.ROOT, "%n- %s: %s of %s accepted jobs completed; burst submitted from "
                            + "%.1f s to %.1f s; heavy work drained at %.1f s (seconds from the first job)", e.getKey(),
                    f.get("completed"), f.get("accepted"), value(f, "burstFirstSubmittedSeconds"),
                    value(f, "burstLastSubmittedSeconds"), value(f, "heavyDrainedSeconds")));
        }
        md.append(pin
                ? String.format(Locale.ROOT, "%n- CPU: split pools pinned with taskset (light on CPU %s, heavy on CPU %s), "
                        + "shared pool on CPUs %s; each JVM's -XX:ActiveProcessorCount matches.", lightCpus, heavyCpus,
                sharedCpus)
                : "\n- CPU: not pinned (taskset missing or fewer than 2 CPUs); capacity is the consumer count only.");
        report.section(md.toString());

        List<Charts.Line> lines = new ArrayList<>();
        timelines.forEach((mode, t) -> {
            lines.add(new Charts.Line(mode + " (each job)", t.samples().stream().map(LatencyTimeline.Sample::atSeconds)
                    .toList(), t.samples().stream().map(LatencyTimeline.Sample::latencyMs).toList(), true));
            List<LatencyTimeline.Window> w = t.windows(1.0);
            lines.add(new Charts.Line(mode + " p99 per second", w.stream().map(x -> x.fromSeconds() + 0.5).toList(),
                    w.stream().map(x -> x.stats().p99()).toList(), false));
        });
        double from = burstAt.toMillis() / 1000.0;
        Files.createDirectories(outDir);
        Charts.timeline(outDir.resolve("isolation-light-latency.png"),
                "Light-job end-to-end latency, shared pool vs split pools (heavy burst marked)",
                "seconds since the first job", "latency (ms, log scale)", lines,
                List.of(new Charts.Marker(from, "burst starts"),
                        new Charts.Marker(from + burstFor.toMillis() / 1000.0, "burst ends")), true);
        report.plot("isolation-light-latency.png");
    }

    private static double value(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    private static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }
}
