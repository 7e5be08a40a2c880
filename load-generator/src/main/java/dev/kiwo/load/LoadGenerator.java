package dev.kiwo.load;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drives {@code POST /jobs} with a steady light load and an optional heavy burst, prints progress while it
 * runs and a summary at the end. With {@code --completion api} or {@code kafka} it also follows each accepted job
 * to its end and reports completion and end-to-end latency per class. Exits 2 on bad options, 1 when nothing was
 * accepted.
 */
public final class LoadGenerator {

    /** {@code --json -}: the JSON summary goes to standard output as one line instead of a file. */
    static final String STDOUT = "-";

    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
            System.out.println(LoadPlan.USAGE);
            return;
        }
        LoadPlan plan;
        try {
            plan = LoadPlan.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("load-generator: " + e.getMessage());
            System.err.println(LoadPlan.USAGE);
            System.exit(2);
            return;
        }
        Report report = run(plan, System.out);
        System.exit(report.accepted() > 0 ? 0 : 1);
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
