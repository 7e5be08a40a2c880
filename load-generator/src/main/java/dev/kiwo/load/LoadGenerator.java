package dev.kiwo.load;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drives {@code POST /jobs} with a steady light load and an optional heavy burst, prints progress while it
 * runs and a summary at the end. With {@code --completion api} or {@code kafka} it also follows each accepted job
 * to its end and reports completion and end-to-end latency per class. Exits 2 on bad options, 1 when nothing was
 * accepted.
 */
@Command(name = "load-generator", sortOptions = false, abbreviateSynopsis = true,
        description = "Open-loop load for POST /jobs: steady light and heavy rates, a heavy burst; latency, and "
                + "with --completion the end of every accepted job, per class.",
        footer = {"", "Durations: 500ms, 30s, 2m.",
                "Exit status: 0 at least one job accepted, 1 none accepted, 2 bad usage."})
public final class LoadGenerator implements Callable<Integer> {

    /** {@code --json -}: the JSON summary goes to standard output as one line instead of a file. */
    static final String STDOUT = "-";

    @Mixin
    LoadPlan.Options options;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    @Spec
    CommandSpec spec;

    private final Map<String, String> environment;
    private final PrintStream out;

    private LoadGenerator(Map<String, String> environment, PrintStream out) {
        this.environment = environment;
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv(), System.out, System.err));
    }

    /**
     * Runs the generator as the command line asks; returns the exit status. {@code environment} stands for the
     * process's environment variables ({@value LoadPlan#API_KEY_VARIABLE}).
     */
    static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
        return CommandLines.of(new LoadGenerator(environment, out), out, err).execute(args.toArray(String[]::new));
    }

    @Override
    public Integer call() throws Exception {
        LoadPlan plan;
        try {
            plan = options.plan(environment);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return run(plan, out).accepted() > 0 ? 0 : 1;
    }

    static Report run(LoadPlan plan, PrintStream out) throws Exception {
        out.printf("load: %s for %ss, light %s/s, heavy %s/s, burst %s/s at %ss for %ss, completion %s%n",
                plan.target(), plan.duration().toSeconds(), plan.lightRate(), plan.heavyRate(),
                plan.burstHeavyRate(), plan.burstAt().toSeconds(), plan.burstFor().toSeconds(),
                plan.completion().name().toLowerCase(Locale.ROOT));
        try (CompletionWatch watch = switch (plan.completion()) {
            case KAFKA -> new ResultTracker(plan.bootstrapServers());
            case API -> new StatusWatch(plan.target(), plan.watchers(), plan.requestTimeout(), plan.apiKey());
            case NONE -> null;
        }) {
            LoadRun.SendReport sent = new LoadRun(plan, out).send();
            if (watch != null) {
                watch.follow(sent.acceptedInDueOrder());
                drain(plan, sent, watch, out);
            }
            Report report = new Report(plan, sent, watch == null ? null : watch.outcome());
            report.print(out);
            if (plan.jsonReport() != null) {
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("plan", plan);
                summary.put("figures", report.figures());
                if (STDOUT.equals(plan.jsonReport())) {
                    // One line, after the summary: a Job's log carries it out of the cluster.
                    out.println(JsonMapper.builder().build().writeValueAsString(summary));
                } else {
                    Path file = Path.of(plan.jsonReport());
                    Files.writeString(file, JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                            .writeValueAsString(summary));
                    out.println("summary written to " + file);
                }
            }
            return report;
        }
    }

    private static void drain(LoadPlan plan, LoadRun.SendReport sent, CompletionWatch watch, PrintStream out) {
        long deadline = System.nanoTime() + plan.drainTimeout().toNanos();
        long nextProgress = 0;
        Set<String> accepted = sent.accepted().keySet();
        while (System.nanoTime() < deadline) {
            if (watch.settled(accepted) == accepted.size()) {
                return;
            }
            if (System.nanoTime() >= nextProgress) {
                out.printf("waiting for results: %d of %d accepted jobs finished%n", watch.finished(accepted),
                        accepted.size());
                nextProgress = System.nanoTime() + plan.progressEvery().toNanos();
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        out.printf("drain timeout (%ss) reached%n", plan.drainTimeout().toSeconds());
    }
}
