package dev.kiwo.bench;

import dev.kiwo.bench.PacedJobs.Shape;
import dev.kiwo.bench.PacedJobs.Submitted;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The threshold rule against the learned cost model, on the same stack in the same run: split pools as in the
 * isolation experiment, a steady stream of true light jobs, and in the mixed phases "expensive light-looking" jobs
 * (below every rule threshold, yet costing more than the model's budget). Phases: {@code baseline} (light only,
 * rule), {@code rule} (mixed, rule; it also trains the model, which learns from every succeeded result) and
 * {@code model} (the very same mixed load after {@code set mode=model}). Per phase: light-pool latency of the true
 * light jobs, routing by kind, the light pool's time spent on misrouted jobs, and precision and recall of
 * "routed heavy" against "measured CPU time (cpuMs) at or above the budget".
 */
final class RoutingExperiment implements Experiment {

    static final String LIGHT = "light";
    static final String EXPENSIVE = "expensive";
    static final String HEAVY = "heavy";

    /** True light jobs: the costliest is about 470 ms with the workers' default cost, well under the budget. */
    static final Shape LIGHT_SHAPE = new Shape(LIGHT, 1, 8, 1, 30, 0, 8);
    /** Below every default threshold (50 MB, 200 pages, 50 images), yet 1.8 to 3 s of work each. */
    static final Shape EXPENSIVE_SHAPE = new Shape(EXPENSIVE, 35, 49, 120, 199, 25, 49);
    /** Heavy by the rule (file size), for training only: sizes beyond the light range for the model to learn. */
    static final Shape HEAVY_SHAPE = new Shape(HEAVY, 55, 75, 50, 150, 5, 20);

    private static final String BASELINE = "baseline";
    private static final String RULE = "rule";
    private static final String MODEL = "model";
    /** The rule tag of the classifier's decisions taken by the cost model (not by its fallback). */
    private static final String COST_MODEL_RULE = "costModel";
    /** How the classifier's log lines about what its model learned start. */
    private static final String COST_MODEL_LOG = "Cost model ";
    private static final Pattern METRIC = Pattern.compile("^([a-zA-Z_:][\\w:]*)(\\{[^}]*})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern MODEL_SAMPLES = Pattern.compile("(?i)^kiwo_classifier_\\w*sample\\w*$");

    @Override
    public String name() {
        return "routing";
    }

    /** One measured phase: its name, the jobs it sent and the configuration version expected to route them. */
    private record Phase(String name, List<Submitted> jobs, long configVersion) {
    }

    /** The workers' cost formula, to say which jobs are expensive by design. */
    private record Cost(double msPerMb, double msPerPage, double msPerImage) {

        double of(Submitted job) {
            return job.fileSizeMb() * msPerMb + job.pageCount() * msPerPage + job.imageCount() * msPerImage;
        }
    }

    @Override
    public void run(Params params, LocalStack stack, BenchReport report, Path outDir, PrintStream out)
            throws Exception {
        double lightRate = params.number("light-rate", 2, 2);
        double expensiveRate = params.number("expensive-rate", 0.12, 0.12);
        Duration baselineFor = params.duration("baseline-duration", "30s", "90s");
        Duration mixedFor = params.duration("mixed-duration", "40s", "120s");
        Duration trainingFor = params.duration("training-duration", "40s", "60s");
        double trainingLightRate = params.number("training-light-rate", 2.5, 2.5);
        double trainingExpensiveRate = params.number("training-expensive-rate", 0.1, 0.1);
        double trainingHeavyRate = params.number("training-heavy-rate", 0.1, 0.1);
        int minTrained = params.integer("min-trained", 250, 300);
        Duration topUpFor = params.duration("top-up-duration", "15s", "30s");
        int maxTopUps = params.integer("max-top-ups", 2, 4);
        long budgetMs = params.integer("budget-ms", 1000, 1000);
        Duration settleTimeout = params.duration("settle-timeout", "30s", "30s");
        Duration drainTimeout = params.duration("drain-timeout", "60s", "120s");
        long seed = params.integer("seed", 42, 42);
        // Must match the workers' kiwo.worker.cost.* (their defaults): it labels jobs, it does not set their cost.
        Cost cost = new Cost(params.number("cost-ms-per-mb", 20, 20), params.number("cost-ms-per-page", 5, 5),
                params.number("cost-ms-per-image", 20, 20));
        int lightConcurrency = params.integer("light-concurrency", 4, 4);
        int heavyConcurrency = params.integer("heavy-concurrency", 1, 1);
        boolean pin = Cpus.pin(params);
        String lightCpus = params.string("light-cpus", "0", "0");
        String heavyCpus = params.string("heavy-cpus", "1", "1");
        List<String> jvm = params.strings("worker-jvm", "-Xms64m,-Xmx384m,-XX:+UseSerialGC",
                "-Xms64m,-Xmx384m,-XX:+UseSerialGC");

        out.println("[routing] broker, api, classifier and split pools");
        stack.startBroker();
        LocalStack.Service api = stack.startApi(jvm);
        LocalStack.Service classifier = stack.startClassifier(jvm);
        // The model's log lines are caught as they pass, the last one kept.
        AtomicReference<String> costModelLine = new AtomicReference<>("");
        classifier.process.watch(line -> {
            if (line.contains(COST_MODEL_LOG)) {
                costModelLine.set(line.substring(line.indexOf(COST_MODEL_LOG)));
            }
            return false;
        });
        api.awaitReady();
        classifier.awaitReady();
        String run = "routing-" + System.currentTimeMillis();
        List<LocalStack.Service> workers = List.of(
                stack.startPool("worker-light", "worker-light", pin ? lightCpus : null, jvm, "bench-" + run + "-light",
                        lightConcurrency, List.of()),
                stack.startPool("worker-heavy", "worker-heavy", pin ? heavyCpus : null, jvm, "bench-" + run + "-heavy",
                        heavyConcurrency, List.of()));
        for (LocalStack.Service w : workers) {
            w.awaitReady();
            w.awaitAssigned();
        }
        PacedJobs jobs = new PacedJobs(URI.create("http://localhost:" + api.port));
        URI metrics = URI.create("http://localhost:" + classifier.managementPort + "/actuator/prometheus");
        List<PacedJobs.Stream> lightOnly = List.of(new PacedJobs.Stream(LIGHT_SHAPE, lightRate));
        List<PacedJobs.Stream> mixed = List.of(new PacedJobs.Stream(LIGHT_SHAPE, lightRate),
                new PacedJobs.Stream(EXPENSIVE_SHAPE, expensiveRate));
        List<PacedJobs.Stream> training = List.of(new PacedJobs.Stream(LIGHT_SHAPE, trainingLightRate),
                new PacedJobs.Stream(EXPENSIVE_SHAPE, trainingExpensiveRate),
                new PacedJobs.Stream(HEAVY_SHAPE, trainingHeavyRate));
        List<Phase> phases = new ArrayList<>();
        Map<String, Object> trainingFigures = new LinkedHashMap<>();
        Map<String, Object> switchFigures = new LinkedHashMap<>();
        Map<String, JobResult> results = new LinkedHashMap<>();
        Map<String, Long> versionOf = new LinkedHashMap<>();
        try (ResultCollector collector = new ResultCollector(stack.clientProperties());
             RoutedVersions versions = new RoutedVersions(stack.clientProperties())) {
            // Warms every JVM on the path and starts the model's training with sizes across the whole range.
            out.printf("%n[routing] training and warm-up for %ss (light %s/s, expensive %s/s, heavy %s/s; not "
                    + "measured)%n", trainingFor.toSeconds(), trainingLightRate, trainingExpensiveRate,
                    trainingHeavyRate);
            List<Submitted> trained = new ArrayList<>(send(jobs, training, trainingFor, seed + 1, "training", out));
            drain(collector, trained, drainTimeout, out);

            long ruleVersion = versions.highest();
            out.printf("%n[routing] phase %s: light %s/s for %ss, mode rule (config version %d)%n", BASELINE,
                    lightRate, baselineFor.toSeconds(), ruleVersion);
            phases.add(new Phase(BASELINE, send(jobs, lightOnly, baselineFor, seed, BASELINE, out), ruleVersion));
            drain(collector, phases.get(0).jobs(), drainTimeout, out);

            out.printf("%n[routing] phase %s: light %s/s and expensive %s/s for %ss, mode rule%n", RULE, lightRate,
                    expensiveRate, mixedFor.toSeconds());
            phases.add(new Phase(RULE, send(jobs, mixed, mixedFor, seed + 2, RULE, out), ruleVersion));
            drain(collector, phases.get(1).jobs(), drainTimeout, out);

            long succeeded = succeeded(collector);
            for (int i = 0; i < maxTopUps && succeeded < minTrained; i++) {
                out.printf("[routing] %d succeeded results so far, fewer than %d: training for another %ss%n",
                        succeeded, minTrained, topUpFor.toSeconds());
                List<Submitted> more = send(jobs, training, topUpFor, seed + 10 + i, "training", out);
                trained.addAll(more);
                drain(collector, more, drainTimeout, out);
                succeeded = succeeded(collector);
            }
            Map<String, Double> sampleMetrics = modelSamples(scrape(metrics));
            out.printf("[routing] the model has had %d succeeded results to learn from (seen on jobs.results); "
                    + "classifier's own count: %s%n", succeeded, sampleMetrics.isEmpty() ? "not exposed" : sampleMetrics);
            trainingFigures.put("trainingJobsAccepted", trained.size());
            trainingFigures.put("succeededResultsBeforeModelPhase", succeeded);
            trainingFigures.put("classifierSampleMetrics", sampleMetrics);

            long modelVersion = switchToModel(stack, jobs, versions, collector, ruleVersion, budgetMs, settleTimeout,
                    drainTimeout, seed, switchFigures, out);
            out.printf("%n[routing] phase %s: the same mixed load for %ss, mode model (config version %d)%n", MODEL,
                    mixedFor.toSeconds(), modelVersion);
            phases.add(new Phase(MODEL, send(jobs, mixed, mixedFor, seed + 2, MODEL, out), modelVersion));
            drain(collector, phases.get(2).jobs(), drainTimeout, out);
            switchFigures.put("decisionsByRuleUnderModelVersion", decisionsByRule(scrape(metrics), modelVersion));
            switchFigures.put("classifierCostModelLog", costModelLine.get());

            for (JobResult r : collector.fromPools(List.of(LIGHT, HEAVY))) {
                results.put(r.jobId(), r);
            }
            for (Phase phase : phases) {
                phase.jobs().forEach(j -> versionOf.put(j.jobId(), versions.version(j.jobId())));
            }
        }
        workers.forEach(LocalStack.Service::stop);

        Instant t0 = phases.get(0).jobs().stream().map(Submitted::sentAt).min(Comparator.naturalOrder())
                .orElse(Instant.now());
        Map<String, Object> byPhase = new LinkedHashMap<>();
        Map<String, List<LatencyTimeline.Sample>> samples = new LinkedHashMap<>();
        for (Phase phase : phases) {
            List<LatencyTimeline.Sample> lightSamples = new ArrayList<>();
            byPhase.put(phase.name(), analyse(phase, results, versionOf, budgetMs, cost, t0, lightSamples));
            samples.put(phase.name(), lightSamples);
        }
        report.put("budgetMs", budgetMs);
        report.put("shapes", Map.of(LIGHT, LIGHT_SHAPE, EXPENSIVE, EXPENSIVE_SHAPE, HEAVY, HEAVY_SHAPE));
        report.put("training", trainingFigures);
        report.put("modelSwitch", switchFigures);
        report.put("phases", byPhase);
        summarise(report, byPhase, samples, phases, t0, trainingFigures, switchFigures, budgetMs, pin, lightCpus,
                heavyCpus, outDir, out);
    }

    private static List<Submitted> send(PacedJobs jobs, List<PacedJobs.Stream> streams, Duration duration, long seed,
                                        String label, PrintStream out) {
        PacedJobs.Result result = jobs.run(streams, duration, seed, label, out);
        Map<String, Long> byKind = new TreeMap<>();
        result.accepted().forEach(j -> byKind.merge(j.kind(), 1L, Long::sum));
        out.printf("    %s: accepted %s%s%n", label, byKind,
                result.failed() == 0 ? "" : ", not accepted " + result.failures());
        return result.accepted();
    }

    /** Waits until every given job has a result on jobs.results, or the timeout; says how far it got. */
    private static void drain(ResultCollector collector, List<Submitted> jobs, Duration timeout, PrintStream out) {
        List<String> ids = jobs.stream().map(Submitted::jobId).toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            Set<String> done = new HashSet<>();
            collector.fromPools(List.of(LIGHT, HEAVY)).forEach(r -> done.add(r.jobId()));
            long missing = ids.stream().filter(id -> !done.contains(id)).count();
            if (missing == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                out.printf("    drain timeout: %d of %d jobs without a result%n", missing, ids.size());
                return;
            }
            if (System.nanoTime() > nextProgress) {
                out.printf("    waiting for results: %d of %d%n", ids.size() - missing, ids.size());
                nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    private static long succeeded(ResultCollector collector) {
        return collector.fromPools(List.of(LIGHT, HEAVY)).stream().filter(r -> r.status() == JobStatus.SUCCEEDED)
                .count();
    }

    /**
     * Sets mode=model (and the budget) with the classifier's routing command, then sends a few small probe jobs
     * until one is routed under a newer configuration version; returns that version.
     */
    private static long switchToModel(LocalStack stack, PacedJobs jobs, RoutedVersions versions,
                                      ResultCollector collector, long before, long budgetMs, Duration settleTimeout,
                                      Duration drainTimeout, long seed, Map<String, Object> figures, PrintStream out)
            throws Exception {
        out.printf("%n[routing] set mode=model modelBudgetMs=%d%n", budgetMs);
        List<String> command = List.of(Layout.currentJava().toString(), "-Xmx128m",
                "-Dloader.main=dev.kiwo.classifier.routing.RoutingCommand",
                "-cp", stack.layout().execJar("classifier-service").toString(),
                "org.springframework.boot.loader.launch.PropertiesLauncher",
                "--bootstrap-servers", stack.bootstrapServers(),
                "set", "--by", "bench", "mode=model", "modelBudgetMs=" + budgetMs);
        Path log = stack.runDir().resolve("logs/routing-set.log");
        int code = Processes.run("routing-set", command, log, stack.runDir(), out, Duration.ofSeconds(90));
        if (code != 0) {
            throw new IllegalStateException("the routing command exited with " + code + "; see " + log);
        }
        long started = System.nanoTime();
        long deadline = started + settleTimeout.toNanos();
        List<Submitted> probes = new ArrayList<>();
        List<PacedJobs.Stream> probe = List.of(new PacedJobs.Stream(LIGHT_SHAPE, 2));
        int round = 0;
        while (versions.highest() <= before && System.nanoTime() < deadline) {
            probes.addAll(jobs.run(probe, Duration.ofSeconds(1), seed + 100 + round++, "probe", out).accepted());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
        long after = versions.highest();
        double seconds = (System.nanoTime() - started) / 1e9;
        figures.put("probeJobs", probes.size());
        figures.put("appliedWithinSeconds", after > before ? Math.round(seconds * 10) / 10.0 : null);
        figures.put("configVersionBefore", before);
        figures.put("configVersionAfter", after);
        if (after > before) {
            out.printf("    applied: a probe job was routed under config version %d after %.1f s%n", after, seconds);
        } else {
            out.printf("    no routed record with a newer config version within %ss; going on after that settle%n",
                    settleTimeout.toSeconds());
        }
        drain(collector, probes, drainTimeout, out);
        return after > before ? after : before + 1;
    }

    private static Map<String, Object> analyse(Phase phase, Map<String, JobResult> results, Map<String, Long> versionOf,
                                               long budgetMs, Cost cost, Instant t0,
                                               List<LatencyTimeline.Sample> lightSamples) {
        Map<String, Object> f = new LinkedHashMap<>();
        Map<String, Map<String, Long>> routed = new LinkedHashMap<>();
        Map<String, Long> accepted = new LinkedHashMap<>();
        Map<String, Long> notSucceeded = new LinkedHashMap<>();
        Map<Long, Long> byVersion = new TreeMap<>();
        List<Double> lightPool = new ArrayList<>();
        List<Double> allLight = new ArrayList<>();
        List<Double> expensive = new ArrayList<>();
        double lightPoolMs = 0;
        double lightPoolExpensiveMs = 0;
        double lightPoolOverBudgetMs = 0;
        long missing = 0;
        List<JobResult> succeeded = new ArrayList<>();
        List<Submitted> succeededJobs = new ArrayList<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Submitted job : phase.jobs()) {
            accepted.merge(job.kind(), 1L, Long::sum);
            byVersion.merge(versionOf.getOrDefault(job.jobId(), RoutedVersions.UNKNOWN), 1L, Long::sum);
            JobResult r = results.get(job.jobId());
            if (r == null) {
                missing++;
                continue;
            }
            rows.add(row(job, r, versionOf.getOrDefault(job.jobId(), RoutedVersions.UNKNOWN), cost));
            routed.computeIfAbsent(job.kind(), k -> new LinkedHashMap<>(Map.of(LIGHT, 0L, HEAVY, 0L)))
                    .merge(r.jobClass() == JobClass.HEAVY ? HEAVY : LIGHT, 1L, Long::sum);
            if (r.status() != JobStatus.SUCCEEDED) {
                notSucceeded.merge(job.kind() + " " + r.status(), 1L, Long::sum);
                continue;
            }
            succeeded.add(r);
            succeededJobs.add(job);
            double latency = Duration.between(r.submittedAt(), r.finishedAt()).toNanos() / 1e6;
            boolean inLightPool = LIGHT.equalsIgnoreCase(r.pool());
            if (LIGHT.equals(job.kind())) {
                allLight.add(latency);
                if (inLightPool) {
                    lightPool.add(latency);
                    lightSamples.add(new LatencyTimeline.Sample(
                            Duration.between(t0, r.submittedAt()).toNanos() / 1e9, latency));
                }
            } else if (EXPENSIVE.equals(job.kind())) {
                expensive.add(latency);
            }
            if (inLightPool) {
                lightPoolMs += cpuMs(r);
                if (EXPENSIVE.equals(job.kind())) {
                    lightPoolExpensiveMs += cpuMs(r);
                }
                if (cpuMs(r) >= budgetMs) {
                    lightPoolOverBudgetMs += cpuMs(r);
                }
            }
        }
        f.put("accepted", accepted);
        f.put("withoutResult", missing);
        f.put("notSucceeded", notSucceeded);
        f.put("expectedConfigVersion", phase.configVersion());
        f.put("jobsByRoutingConfigVersion", byVersion);
        f.put("routedByKind", routed);
        f.put("lightPoolLightLatencyMs", stats(lightPool).toMap());
        f.put("allLightLatencyMs", stats(allLight).toMap());
        f.put("expensiveLatencyMs", stats(expensive).toMap());
        f.put("lightPoolCpuMs", lightPoolMs);
        f.put("lightPoolShareOnExpensiveByDesign", finite(Markdown.divide(lightPoolExpensiveMs, lightPoolMs)));
        f.put("lightPoolShareOnMeasuredOverBudget", finite(Markdown.divide(lightPoolOverBudgetMs, lightPoolMs)));
        f.put("routedHeavyVsMeasuredOverBudget", confusion(succeeded, r -> cpuMs(r) >= budgetMs));
        Map<String, Double> designCost = new LinkedHashMap<>();
        for (int i = 0; i < succeeded.size(); i++) {
            designCost.put(succeeded.get(i).jobId(), cost.of(succeededJobs.get(i)));
        }
        f.put("routedHeavyVsDesignCostOverBudget", confusion(succeeded, r -> designCost.get(r.jobId()) >= budgetMs));
        f.put("jobs", rows);
        return f;
    }

    /** What the job cost the worker: its CPU time, or its wall time from a worker that does not report it. */
    private static long cpuMs(JobResult r) {
        return r.cpuMs() != null ? r.cpuMs() : r.processingMs();
    }

    /** One job's sizes, routing and result, for results.json. */
    private static Map<String, Object> row(Submitted job, JobResult r, long version, Cost cost) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", job.kind());
        m.put("fileSizeMb", job.fileSizeMb());
        m.put("pageCount", job.pageCount());
        m.put("imageCount", job.imageCount());
        m.put("designCostMs", Math.round(cost.of(job)));
        m.put("configVersion", version);
        m.put("jobClass", r.jobClass());
        m.put("pool", r.pool());
        m.put("status", r.status());
        m.put("processingMs", r.processingMs());
        m.put("cpuMs", r.cpuMs());
        m.put("endToEndMs", Duration.between(r.submittedAt(), r.finishedAt()).toMillis());
        return m;
    }

    /** Precision and recall of "routed heavy" against {@code overBudget}, over the succeeded jobs. */
    private static Map<String, Object> confusion(List<JobResult> succeeded, Predicate<JobResult> overBudget) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long tn = 0;
        for (JobResult r : succeeded) {
            boolean heavy = r.jobClass() == JobClass.HEAVY;
            boolean over = overBudget.test(r);
            if (heavy && over) {
                tp++;
            } else if (heavy) {
                fp++;
            } else if (over) {
                fn++;
            } else {
                tn++;
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("truePositives", tp);
        m.put("falsePositives", fp);
        m.put("falseNegatives", fn);
        m.put("trueNegatives", tn);
        m.put("precision", finite(Markdown.divide(tp, tp + fp)));
        m.put("recall", finite(Markdown.divide(tp, tp + fn)));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static void summarise(BenchReport report, Map<String, Object> byPhase,
                                  Map<String, List<LatencyTimeline.Sample>> samples, List<Phase> phases, Instant t0,
                                  Map<String, Object> training, Map<String, Object> modelSwitch, long budgetMs,
                                  boolean pin, String lightCpus, String heavyCpus, Path outDir, PrintStream out)
            throws IOException {
        List<List<String>> latency = new ArrayList<>();
        List<List<String>> routing = new ArrayList<>();
        List<List<String>> quality = new ArrayList<>();
        Map<String, Double> p99 = new LinkedHashMap<>();
        Map<String, Double> p50 = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : byPhase.entrySet()) {
            String phase = e.getKey();
            Map<String, Object> f = (Map<String, Object>) e.getValue();
            Map<String, Object> lp = (Map<String, Object>) f.get("lightPoolLightLatencyMs");
            Map<String, Object> all = (Map<String, Object>) f.get("allLightLatencyMs");
            Map<String, Object> exp = (Map<String, Object>) f.get("expensiveLatencyMs");
            p50.put(phase, value(lp, "p50"));
            p99.put(phase, value(lp, "p99"));
            latency.add(List.of(phase, String.valueOf(lp.get("count")), Markdown.ms(value(lp, "p50")),
                    Markdown.ms(value(lp, "p95")), Markdown.ms(value(lp, "p99")), Markdown.ms(value(lp, "max")),
                    Markdown.ms(value(all, "p99")), Markdown.ms(value(exp, "p50"))));
            Map<String, Map<String, Object>> routed = (Map<String, Map<String, Object>>) f.get("routedByKind");
            routing.add(List.of(phase, routedCell(routed, LIGHT), routedCell(routed, EXPENSIVE),
                    percent(value(f, "lightPoolShareOnExpensiveByDesign")),
                    percent(value(f, "lightPoolShareOnMeasuredOverBudget")),
                    String.valueOf(f.get("jobsByRoutingConfigVersion"))));
            if (!BASELINE.equals(phase)) {
                Map<String, Object> measured = (Map<String, Object>) f.get("routedHeavyVsMeasuredOverBudget");
                Map<String, Object> design = (Map<String, Object>) f.get("routedHeavyVsDesignCostOverBudget");
                quality.add(List.of(phase, Markdown.number(value(measured, "precision"), 2),
                        Markdown.number(value(measured, "recall"), 2),
                        measured.get("truePositives") + "/" + measured.get("falsePositives") + "/"
                                + measured.get("falseNegatives"),
                        Markdown.number(value(design, "precision"), 2), Markdown.number(value(design, "recall"), 2)));
            }
        }
        double modelRatio = Markdown.divide(p99.getOrDefault(MODEL, Double.NaN), p99.getOrDefault(BASELINE, Double.NaN));
        double ruleRatio = Markdown.divide(p99.getOrDefault(RULE, Double.NaN), p99.getOrDefault(BASELINE, Double.NaN));
        Map<String, Object> ratios = new LinkedHashMap<>();
        ratios.put("modelOverBaselineP99", finite(modelRatio));
        ratios.put("ruleOverBaselineP99", finite(ruleRatio));
        ratios.put("target", 1.2);
        report.put("ratios", ratios);
        Map<String, Double> byRule = (Map<String, Double>) modelSwitch.getOrDefault("decisionsByRuleUnderModelVersion",
                Map.of());
        double modelDecisions = byRule.getOrDefault(COST_MODEL_RULE, 0.0);
        double allDecisions = byRule.values().stream().mapToDouble(Double::doubleValue).sum();
        String verdict = String.format(Locale.ROOT, "light-pool p99 of true light jobs: model / baseline = %s "
                        + "(target <= 1.2: %s), rule / baseline = %s", Markdown.ratio(modelRatio),
                Double.isFinite(modelRatio) ? (modelRatio <= 1.2 ? "met" : "not met") : "–",
                Markdown.ratio(ruleRatio));
        String decidedBy = modelDecisions > 0
                ? String.format(Locale.ROOT, "%.0f of %.0f decisions under the model phase's config version were the "
                + "cost model's, the others the rule's (fallback)", modelDecisions, allDecisions)
                : "no decision under the model phase's config version was the cost model's: it routed by the rule "
                + "(fallback, or the model mode is not there yet)";
        String learned = String.valueOf(modelSwitch.getOrDefault("classifierCostModelLog", ""));
        out.println();
        out.println("[routing] verdict: " + verdict);
        out.println("[routing] " + decidedBy);

        StringBuilder md = new StringBuilder("## Verdict\n\n").append(verdict).append(".\n\n").append(decidedBy)
                .append(" (decisions by rule tag: ").append(byRule.isEmpty() ? "not scraped" : byRule).append(").\n\n");
        if (!learned.isEmpty()) {
            md.append("The classifier's last word on its model: `").append(learned).append("`\n\n");
        }
        md.append("## Light-pool end-to-end latency of the true light jobs (ms)\n\n");
        md.append(Markdown.table(List.of("phase", "jobs (n)", "p50", "p95", "p99", "max", "p99 of all true light",
                "expensive p50"), latency));
        md.append("\n*p99 of all true light* includes true light jobs routed heavy; *expensive p50* is the "
                + "end-to-end latency of the expensive light-looking jobs, wherever they ran.\n\n");
        md.append("## Routing by kind and the light pool's time on misrouted jobs\n\n");
        md.append(Markdown.table(List.of("phase", "true light: light / heavy", "expensive: light / heavy",
                "light-pool time on expensive jobs", "light-pool time on jobs >= budget",
                "jobs by config version"), routing));
        md.append(String.format(Locale.ROOT, "%nShares are of all CPU time (cpuMs) of the phase's succeeded jobs in "
                + "the light pool; *>= budget* means the job's measured cpuMs reached %d ms.%n%n", budgetMs));
        md.append("## Routed heavy against over budget (succeeded jobs)\n\n");
        md.append(Markdown.table(List.of("phase", "precision (measured)", "recall (measured)", "TP/FP/FN (measured)",
                "precision (design cost)", "recall (design cost)"), quality));
        md.append(String.format(Locale.ROOT, "%n*Measured*: cpuMs from the JobResult >= %d ms (the worker thread's CPU "
                + "time, which CPU sharing with other jobs does not inflate, unlike processingMs). *Design cost*: the "
                + "workers' cost formula of the job's sizes >= %d ms.%n", budgetMs, budgetMs));
        md.append(String.format(Locale.ROOT, "%n- Training: %s succeeded results on jobs.results before the model "
                        + "phase (%s training jobs, the rest from the baseline and rule phases); classifier's own "
                        + "sample count: %s.", training.get("succeededResultsBeforeModelPhase"),
                training.get("trainingJobsAccepted"), training.get("classifierSampleMetrics")));
        md.append(String.format(Locale.ROOT, "%n- Switch to mode model: config version %s -> %s, applied to a probe "
                        + "job within %s s (%s probe jobs, not measured).", modelSwitch.get("configVersionBefore"),
                modelSwitch.get("configVersionAfter"), modelSwitch.get("appliedWithinSeconds"),
                modelSwitch.get("probeJobs")));
        for (Phase phase : phases) {
            Map<String, Object> f = (Map<String, Object>) byPhase.get(phase.name());
            md.append(String.format(Locale.ROOT, "%n- %s: accepted %s, without a result %s, not succeeded %s.",
                    phase.name(), f.get("accepted"), f.get("withoutResult"), f.get("notSucceeded")));
        }
        md.append(pin
                ? String.format(Locale.ROOT, "%n- CPU: light pool pinned to CPU %s, heavy pool to CPU %s (taskset); "
                + "each JVM's -XX:ActiveProcessorCount matches.", lightCpus, heavyCpus)
                : "\n- CPU: not pinned (taskset missing or fewer than 2 CPUs); capacity is the consumer count only.");
        report.section(md.toString());

        Files.createDirectories(outDir);
        List<Charts.Line> lines = new ArrayList<>();
        List<Charts.Marker> markers = new ArrayList<>();
        for (Phase phase : phases) {
            List<LatencyTimeline.Sample> s = samples.get(phase.name());
            lines.add(new Charts.Line(phase.name(), s.stream().map(LatencyTimeline.Sample::atSeconds).toList(),
                    s.stream().map(LatencyTimeline.Sample::latencyMs).toList(), true));
            phase.jobs().stream().map(Submitted::sentAt).min(Comparator.naturalOrder()).ifPresent(first ->
                    markers.add(new Charts.Marker(Duration.between(t0, first).toNanos() / 1e9, phase.name())));
        }
        Charts.timeline(outDir.resolve("routing-light-latency.png"),
                "True light jobs in the light pool: end-to-end latency by phase",
                "seconds since the baseline phase started", "latency (ms, log scale)", lines, markers, true);
        report.plot("routing-light-latency.png");
        List<String> names = new ArrayList<>(p99.keySet());
        Map<String, List<Double>> bars = new LinkedHashMap<>();
        bars.put("p50", names.stream().map(n -> zeroIfMissing(p50.get(n))).toList());
        bars.put("p99", names.stream().map(n -> zeroIfMissing(p99.get(n))).toList());
        Charts.bars(outDir.resolve("routing-light-p99.png"),
                "True light jobs in the light pool: latency per phase", "ms", names, bars);
        report.plot("routing-light-p99.png");
    }

    private static String routedCell(Map<String, Map<String, Object>> routed, String kind) {
        Map<String, Object> r = routed.get(kind);
        return r == null ? "–" : r.get(LIGHT) + " / " + r.get(HEAVY);
    }

    /** The classifier's counters of decisions under one config version, summed by their rule tag. */
    private static Map<String, Double> decisionsByRule(String prometheus, long version) {
        Map<String, Double> byRule = new TreeMap<>();
        for (String line : prometheus.split("\n")) {
            Matcher m = METRIC.matcher(line);
            if (!m.find() || !m.group(1).equals("kiwo_classifier_decisions_total") || m.group(2) == null) {
                continue;
            }
            Map<String, String> labels = labels(m.group(2));
            if (String.valueOf(version).equals(labels.get("config_version"))) {
                byRule.merge(labels.getOrDefault("rule", "?"), parse(m.group(3)), Double::sum);
            }
        }
        return byRule;
    }

    /** Any classifier metric that counts the cost model's samples, by name; empty while there is none. */
    private static Map<String, Double> modelSamples(String prometheus) {
        Map<String, Double> found = new TreeMap<>();
        for (String line : prometheus.split("\n")) {
            Matcher m = METRIC.matcher(line);
            if (m.find() && MODEL_SAMPLES.matcher(m.group(1)).matches()) {
                found.merge(m.group(1), parse(m.group(3)), Double::sum);
            }
        }
        return found;
    }

    private static Map<String, String> labels(String braces) {
        Map<String, String> labels = new LinkedHashMap<>();
        Matcher m = LABEL.matcher(braces);
        while (m.find()) {
            labels.put(m.group(1), m.group(2));
        }
        return labels;
    }

    /** The classifier's Prometheus page; empty when it cannot be read, which the report then says. */
    private static String scrape(URI uri) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static double parse(String number) {
        try {
            return Double.parseDouble(number);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static Stats stats(List<Double> values) {
        return Stats.of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String percent(double share) {
        return Double.isFinite(share) ? String.format(Locale.ROOT, "%.1f%%", share * 100) : "–";
    }

    private static double value(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double zeroIfMissing(Double v) {
        return v != null && Double.isFinite(v) ? v : 0;
    }
}
