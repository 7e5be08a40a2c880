package dev.kiwo.load;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drives {@code POST /jobs} with a steady light load and an optional heavy burst, prints progress while it
 * runs and a summary at the end. With {@code --bootstrap-servers} it also follows {@code jobs.results} and
 * reports completion and end-to-end latency per class. Exits 2 on bad options, 1 when nothing was accepted.
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
        out.printf("load: %s for %ss, light %s/s, heavy %s/s, burst %s/s at %ss for %ss%n", plan.target(),
                plan.duration().toSeconds(), plan.lightRate(), plan.heavyRate(), plan.burstHeavyRate(),
                plan.burstAt().toSeconds(), plan.burstFor().toSeconds());
        ResultTracker tracker = plan.bootstrapServers() == null ? null : new ResultTracker(plan.bootstrapServers());
        try {
            LoadRun.SendReport sent = new LoadRun(plan, out).send();
            if (tracker != null) {
                drain(plan, sent, tracker, out);
            }
            Report report = new Report(plan, sent, tracker == null ? null : tracker.results(),
                    tracker == null ? 0 : tracker.duplicates());
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
        } finally {
            if (tracker != null) {
                tracker.close();
            }
        }
    }

    private static void drain(LoadPlan plan, LoadRun.SendReport sent, ResultTracker tracker, PrintStream out) {
        long deadline = System.nanoTime() + plan.drainTimeout().toNanos();
        long nextProgress = 0;
        while (System.nanoTime() < deadline) {
            long done = sent.accepted().keySet().stream().filter(tracker.results()::containsKey).count();
            if (done == sent.accepted().size()) {
                return;
            }
            if (System.nanoTime() >= nextProgress) {
                out.printf("waiting for results: %d of %d accepted jobs finished%n", done, sent.accepted().size());
                nextProgress = System.nanoTime() + plan.progressEvery().toNanos();
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        out.printf("drain timeout (%ss) reached%n", plan.drainTimeout().toSeconds());
    }
}
