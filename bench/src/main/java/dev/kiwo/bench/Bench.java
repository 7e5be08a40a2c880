package dev.kiwo.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * {@code Bench <experiment|all> [--quick] [--name=value ...]}: runs experiments on local mode and writes
 * {@code bench-results/<date>-<experiment>/} (results.json, summary.md, PNG plots, logs). Exits 2 on bad
 * arguments, 1 when an experiment failed.
 */
public final class Bench {

    static final Map<String, Experiment> EXPERIMENTS = Map.of(
            "isolation", new IsolationExperiment(),
            "ingest", new IngestExperiment(),
            "classifier", new ClassifierExperiment(),
            "startup", new StartupExperiment(),
            "routing", new RoutingExperiment());
    static final List<String> ORDER = List.of("isolation", "ingest", "classifier", "startup", "routing");

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        if (args.length == 0 || !(EXPERIMENTS.containsKey(args[0]) || "all".equals(args[0]))) {
            System.err.println("usage: bench <" + String.join("|", ORDER) + "|all> [--quick] [--name=value ...]");
            System.exit(2);
            return;
        }
        Params probe;
        try {
            probe = Params.parse(List.of(args).subList(1, args.length));
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Layout layout = new Layout(Path.of(System.getProperty("kiwo.root", ".")).toAbsolutePath().normalize(),
                version());
        List<String> names = "all".equals(args[0]) ? ORDER : List.of(args[0]);
        // A hard bound per experiment, so a hung broker or service cannot keep the machine busy.
        Duration limit = probe.duration("time-limit", "5m", "12m");
        int failures = 0;
        for (String name : names) {
            Params params = Params.parse(List.of(args).subList(1, args.length));
            params.duration("time-limit", "5m", "12m");
            if (!runOne(EXPERIMENTS.get(name), params, layout, limit, out)) {
                failures++;
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    private static boolean runOne(Experiment experiment, Params params, Layout layout, Duration limit,
                                  PrintStream out) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"));
        Path outDir = layout.root().resolve("bench-results").resolve(stamp + "-" + experiment.name());
        Path runDir = outDir.resolve("run");
        Files.createDirectories(runDir);
        out.printf("== kiwo bench: %s (%s mode, at most %ss) -> %s%n", experiment.name(),
                params.quick() ? "quick" : "default", limit.toSeconds(), outDir);
        BenchReport report = new BenchReport(experiment.name(), Machine.describe(layout));
        Thread watchdog = watchdog(limit, experiment.name(), out);
        long start = System.nanoTime();
        try (LocalStack stack = new LocalStack(layout.snapshot(runDir.resolve("apps")), runDir, out)) {
            experiment.run(params, stack, report, outDir, out);
        } catch (Exception e) {
            out.println("error: " + experiment.name() + " failed: " + e.getMessage());
            out.println("logs are in " + runDir.resolve("logs"));
            return false;
        } finally {
            watchdog.interrupt();
            // Broker data and jar copies are large and say nothing the logs and figures do not.
            deleteTree(runDir.resolve("kafka"));
            deleteTree(runDir.resolve("apps"));
        }
        report.put("elapsedSeconds", (System.nanoTime() - start) / 1_000_000_000L);
        report.put("loadAverageAtEnd", Machine.loadAverage());
        report.params(params.used());
        report.write(outDir, out);
        return true;
    }

    private static Thread watchdog(Duration limit, String name, PrintStream out) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(limit.toMillis());
                out.printf("error: %s exceeded its time limit of %ss; stopping everything it started%n", name,
                        limit.toSeconds());
                // The shutdown hook stops every process the harness started.
                System.exit(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String version() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Bench.class.getResourceAsStream("/bench.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return p.getProperty("kiwo.version", "0.1.0-SNAPSHOT");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
