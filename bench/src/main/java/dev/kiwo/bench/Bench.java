package dev.kiwo.bench;

import dev.kiwo.launcher.Project;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code Bench <experiment|all> [--quick] [--NAME=VALUE | --NAME VALUE]...}: runs experiments on local mode and
 * writes {@code bench-results/<date>-<experiment>/} (results.json, summary.md, PNG plots, logs). Exits 2 on bad
 * arguments, 1 when an experiment failed.
 */
@Command(name = "bench", sortOptions = false,
        customSynopsis = "bench [-h] [--quick] EXPERIMENT [--NAME=VALUE | --NAME VALUE]...",
        description = "Runs kiwo's benchmarks on local mode; each experiment writes "
                + "bench-results/<date>-<experiment>/ (results.json, summary.md, PNG plots, logs).",
        footer = {"", "Any parameter an experiment prints in its report can be overridden with --NAME=VALUE or "
                + "--NAME VALUE, e.g. --light-rate=8 --duration 150s; --time-limit bounds each experiment "
                + "(5m quick, 12m default).",
                "", "Exit status: 0 done, 1 an experiment failed, 2 bad usage."})
public final class Bench implements Callable<Integer> {

    static final Map<String, Experiment> EXPERIMENTS = Map.of(
            "isolation", new IsolationExperiment(),
            "ingest", new IngestExperiment(),
            "classifier", new ClassifierExperiment(),
            "startup", new StartupExperiment(),
            "routing", new RoutingExperiment());
    static final List<String> ORDER = List.of("isolation", "ingest", "classifier", "startup", "routing");

    @Parameters(paramLabel = "EXPERIMENT", completionCandidates = Names.class,
            description = "${COMPLETION-CANDIDATES}, or all: each of them in that order")
    String experiment;

    @Option(names = "--quick", description = "each experiment in 1 to 4 minutes: figures that check the harness, "
            + "not for publishing")
    boolean quick;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    @Spec
    CommandSpec spec;

    private final PrintStream out;

    Bench(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** The experiments' names, in order, for the help. */
    static final class Names implements Iterable<String> {

        @Override
        public Iterator<String> iterator() {
            return ORDER.iterator();
        }
    }

    /** Runs the experiments the arguments name; returns the exit status. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        return commandLine(new Bench(out), args, out, err).execute(args.toArray(String[]::new));
    }

    /**
     * The command line for these arguments: EXPERIMENT, {@code --quick}, {@code --help}, and one option for each
     * {@code --NAME} among them, as an experiment's parameters are the names it reads while it runs.
     */
    static CommandLine commandLine(Bench bench, List<String> args, PrintStream out, PrintStream err) {
        CommandSpec spec = CommandSpec.forAnnotatedObject(bench);
        for (String arg : args) {
            String name = arg.startsWith("--") ? arg.split("=", 2)[0] : "";
            if (name.length() > 2 && !spec.optionsMap().containsKey(name)) {
                spec.addOption(OptionSpec.builder(name).paramLabel("VALUE").type(String.class).hidden(true).build());
            }
        }
        return new CommandLine(spec)
                .setOverwrittenOptionsAllowed(true)
                .setExpandAtFiles(false)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setParameterExceptionHandler((refused, ignored) -> {
                    CommandLine command = refused.getCommandLine();
                    command.getErr().println("bench: " + refused.getMessage());
                    command.getErr().print(command.getHelp().fullSynopsis());
                    command.getErr().println("More: bench --help");
                    return CommandLine.ExitCode.USAGE;
                });
    }

    /** The {@code --NAME} overrides given, by NAME; the last of a repeated one. */
    Map<String, String> overrides() {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            if (option.hidden()) {
                overrides.put(option.longestName().substring(2), option.getValue());
            }
        }
        return overrides;
    }

    @Override
    public Integer call() throws Exception {
        if (!EXPERIMENTS.containsKey(experiment) && !"all".equals(experiment)) {
            throw new ParameterException(spec.commandLine(), "unknown experiment " + experiment + ": expected "
                    + String.join(", ", ORDER) + " or all");
        }
        Map<String, String> overrides = overrides();
        // A hard bound per experiment, so a hung broker or service cannot keep the machine busy.
        Duration limit;
        try {
            limit = new Params(quick, overrides).duration("time-limit", "5m", "12m");
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--time-limit: " + e.getMessage());
        }
        Layout layout = new Layout(Project.at(Path.of(System.getProperty("kiwo.root", "."))));
        int failures = 0;
        for (String name : "all".equals(experiment) ? ORDER : List.of(experiment)) {
            Params params = new Params(quick, overrides);
            params.duration("time-limit", "5m", "12m");
            if (!runOne(EXPERIMENTS.get(name), params, layout, limit, out)) {
                failures++;
            }
        }
        return failures == 0 ? 0 : 1;
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
