package dev.kiwo.bench;

import dev.kiwo.model.Job;
import dev.kiwo.model.Topics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * {@code POST /jobs} at fixed rates and at saturation (acks=all, the API's own producer settings), then single jobs
 * and NDJSON batches from closed-loop clients, against Kafka's ProducerPerformance on the same broker with the same
 * record size and acks=all. Only the broker and the API run.
 */
final class IngestExperiment implements Experiment {

    /** ProducerPerformance's own topic, laid out like jobs.in. */
    static final String PERF_TOPIC = "bench.producer-performance";

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public void run(Params params, LocalStack stack, BenchReport report, Path outDir, PrintStream out)
            throws Exception {
        List<Integer> rates = params.integers("rates", "500,1000,2000", "500,1000,2000");
        Duration step = params.duration("step", "10s", "40s");
        Duration warmup = params.duration("warmup", "10s", "30s");
        // Each step is a fresh load-generator JVM: its first seconds are slow on the client side.
        Duration stepWarmup = params.duration("step-warmup", "3s", "5s");
        int saturationFloor = params.integer("saturation-floor", 1000, 1000);
        int concurrency = params.integer("concurrency", 200, 200);
        long perfRecords = params.integer("perf-records", 200_000, 1_000_000);
        int perfRate = params.integer("perf-rate", 2000, 2000);
        // The status view keeps every job of the retention in memory and batches put millions through in a minute,
        // so the heap is large and at its full size from the start: the figures are the API's, not a short heap's.
        List<String> jvm = params.strings("api-jvm", "-Xms4g,-Xmx4g,-XX:+UseSerialGC",
                "-Xms4g,-Xmx4g,-XX:+UseSerialGC");
        // The API's own capacity is measured, not its per-tenant rate limits (all clients are one tenant here), and
        // the view's cap is raised to what the heap holds, as the view was before it had one.
        String unthrottled = "--kiwo.api.limits.requests-per-second=0,--kiwo.api.limits.jobs-per-second=0,"
                + "--kiwo.api.status.max-jobs=16000000";
        List<String> apiArgs = params.strings("api-args", unthrottled, unthrottled);
        List<String> loadJvm = params.strings("load-jvm", "-Xmx512m", "-Xmx512m");
        int singleClients = params.integer("single-clients", 64, 64);
        int batchClients = params.integer("batch-clients", 4, 4);
        int batchLines = params.integer("batch-lines", 1000, 1000);
        Duration clientWarmup = params.duration("client-warmup", "5s", "10s");
        // The previous, synchronous API's documented saturation; its code is gone, so it cannot be re-measured.
        int syncSaturation = params.integer("sync-saturation", 2376, 2376);
        int recordSize = recordSize();

        out.println("[ingest] broker and api");
        stack.startBroker();
        stack.createTopics(new NewTopic(PERF_TOPIC, 6, (short) 1));
        LocalStack.Service api = stack.startService("api", "api-service", List.of(), jvm, apiArgs);
        api.awaitReady();

        int warmupRate = params.integer("warmup-rate", 300, 300);
        out.printf("[ingest] warm-up: %ss at %d/s (not reported)%n", warmup.toSeconds(), warmupRate);
        load(stack, api, loadJvm, "ingest-warmup", warmupRate, Duration.ZERO, warmup, concurrency, out);

        List<Map<String, Object>> steps = new ArrayList<>();
        double best = 0;
        for (int rate : rates) {
            out.printf("%n[ingest] POST /jobs at %d/s for %ss%n", rate, step.toSeconds());
            Map<String, Object> s = step(load(stack, api, loadJvm, "ingest-" + rate, rate, stepWarmup, step,
                    concurrency, out), rate, false);
            steps.add(s);
            best = Math.max(best, (double) s.get("acceptedPerSecond"));
        }
        // The load generator sends every request its schedule holds, however late, so saturation is offered as a
        // multiple of the best rate seen rather than as an arbitrary huge rate; doubled while the API keeps up.
        Map<String, Object> saturation = null;
        for (int round = 0; round < 3; round++) {
            int offered = (int) Math.max(saturationFloor, Math.ceil(best * 2));
            out.printf("%n[ingest] POST /jobs at saturation: %d/s offered for %ss%n", offered, step.toSeconds());
            saturation = step(load(stack, api, loadJvm, "ingest-saturation-" + offered, offered, stepWarmup, step,
                    concurrency, out), offered, true);
            double accepted = (double) saturation.get("acceptedPerSecond");
            if (accepted < 0.9 * offered) {
                break;
            }
            best = accepted;
        }
        steps.add(saturation);
        report.put("api", steps);
        report.put("recordSizeBytes", recordSize);

        URI target = URI.create("http://localhost:" + api.port);
        out.printf("%n[ingest] POST /jobs, single jobs from %d closed-loop clients, %ss (after %ss unmeasured)%n",
                singleClients, step.toSeconds(), clientWarmup.toSeconds());
        ClosedLoop single = closedLoop(PostClients.singleJobs(target, singleClients), api, clientWarmup, step, out);
        out.printf("%n[ingest] POST /jobs with NDJSON batches: %d clients, %d jobs per batch, %ss (after %ss"
                        + " unmeasured)%n", batchClients, batchLines, step.toSeconds(), clientWarmup.toSeconds());
        ClosedLoop batches = closedLoop(PostClients.batches(target, batchClients, batchLines), api, clientWarmup, step,
                out);
        report.put("closedLoop", Map.of("singleJobs", single.toMap(), "batches", batches.toMap()));

        out.printf("%n[ingest] ProducerPerformance: %d records of %d bytes, acks=all, unthrottled%n", perfRecords,
                recordSize);
        ProducerPerformanceRun max = perf(stack, "perf-max", perfRecords, recordSize, -1, out);
        long paced = (long) perfRate * step.toSeconds();
        out.printf("[ingest] ProducerPerformance: %d records at %d/s%n", paced, perfRate);
        ProducerPerformanceRun atRate = perf(stack, "perf-" + perfRate, paced, recordSize, perfRate, out);
        report.put("producerPerformance", Map.of("unthrottled", max, "paced", atRate, "pacedRate", perfRate));

        summarise(report, steps, single, batches, max, atRate, perfRate, syncSaturation, recordSize, outDir);
    }

    /** A closed-loop step's figures and the API's CPU meanwhile, in cores (1.0 is one core busy throughout). */
    record ClosedLoop(PostClients.Result result, double apiCores) {

        double apiMicrosPerJob() {
            return Markdown.divide(apiCores * result.elapsedSeconds() * 1e6, result.jobs());
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>(result.toMap());
            m.put("apiCores", apiCores);
            m.put("apiCpuMicrosPerJob", apiMicrosPerJob());
            return m;
        }
    }

    private static ClosedLoop closedLoop(PostClients clients, LocalStack.Service api, Duration warmup, Duration step,
                                         PrintStream out) throws InterruptedException {
        clients.run(Duration.ZERO, warmup, new PrintStream(OutputStream.nullOutputStream()));
        Duration cpuBefore = api.process.cpuTime();
        PostClients.Result result = clients.run(Duration.ZERO, step, out);
        double cpuSeconds = (api.process.cpuTime().toNanos() - cpuBefore.toNanos()) / 1e9;
        return new ClosedLoop(result, Markdown.divide(cpuSeconds, result.elapsedSeconds()));
    }

    private static Map<String, Object> step(Map<String, Object> f, int offered, boolean saturation) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("offeredPerSecond", offered);
        s.put("saturation", saturation);
        s.put("acceptedPerSecond", LoadGeneratorProcess.decimal(f, "accepted")
                / LoadGeneratorProcess.decimal(f, "elapsedSeconds"));
        s.put("accepted", LoadGeneratorProcess.number(f, "accepted"));
        s.put("errors", LoadGeneratorProcess.number(f, "errors"));
        s.put("latencyMs", f.get("acceptLatencyMs"));
        return s;
    }

    /** The value the API writes to jobs.in for a typical light job. */
    static int recordSize() {
        Job job = new Job(UUID.randomUUID().toString(), "light-1234.pdf", 1.05, 5, 1, Instant.now());
        return Topics.JOBS_IN.valueSerde().serializer().serialize(Topics.JOBS_IN.name(), job).length;
    }

    private static Map<String, Object> load(LocalStack stack, LocalStack.Service api, List<String> jvm, String name,
                                            int rate, Duration warmup, Duration duration, int concurrency,
                                            PrintStream out) throws Exception {
        return LoadGeneratorProcess.run(stack.layout(), stack.runDir(), name, jvm, List.of(
                "--target", "http://localhost:" + api.port,
                "--warmup", warmup.toMillis() + "ms",
                "--duration", duration.toSeconds() + "s",
                "--light-rate", String.valueOf(rate),
                "--heavy-rate", "0",
                "--burst-for", "0s",
                "--concurrency", String.valueOf(concurrency),
                "--progress", "5s"), warmup.plus(duration).plusMinutes(2), out);
    }

    private static ProducerPerformanceRun perf(LocalStack stack, String name, long records, int size, int throughput,
                                               PrintStream out) throws Exception {
        List<String> command = List.of(Layout.currentJava().toString(), "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), ProducerPerformanceRun.MAIN_CLASS,
                "--topic", PERF_TOPIC, "--num-records", String.valueOf(records), "--record-size", String.valueOf(size),
                "--throughput", String.valueOf(throughput),
                "--producer-props", "bootstrap.servers=" + stack.bootstrapServers(), "acks=all");
        Path log = stack.runDir().resolve("logs/" + name + ".log");
        Processes.run(name, command, log, null, out, Duration.ofMinutes(5));
        return ProducerPerformanceRun.parse(log);
    }

    @SuppressWarnings("unchecked")
    private static void summarise(BenchReport report, List<Map<String, Object>> steps, ClosedLoop single,
                                  ClosedLoop batches, ProducerPerformanceRun max, ProducerPerformanceRun atRate,
                                  int perfRate, int syncSaturation, int recordSize, Path outDir) throws Exception {
        List<List<String>> rows = new ArrayList<>();
        List<String> categories = new ArrayList<>();
        List<Double> throughput = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        double saturated = Double.NaN;
        double apiP99AtPerfRate = Double.NaN;
        for (Map<String, Object> s : steps) {
            Map<String, Object> lat = (Map<String, Object>) s.get("latencyMs");
            boolean saturation = (boolean) s.get("saturation");
            double accepted = ((Number) s.get("acceptedPerSecond")).doubleValue();
            String label = saturation ? "saturation" : s.get("offeredPerSecond") + "/s";
            rows.add(List.of(label, Markdown.rate(accepted), saturation ? "–" : Markdown.ms(num(lat, "p50")),
                    saturation ? "–" : Markdown.ms(num(lat, "p95")), saturation ? "–" : Markdown.ms(num(lat, "p99")),
                    String.valueOf(s.get("errors"))));
            categories.add("API " + label);
            throughput.add(accepted);
            p99.add(saturation ? 0.0 : num(lat, "p99"));
            if (saturation) {
                saturated = accepted;
            }
            if (((Number) s.get("offeredPerSecond")).intValue() == perfRate && !saturation) {
                apiP99AtPerfRate = num(lat, "p99");
            }
        }
        rows.add(List.of("ProducerPerformance unthrottled", Markdown.rate(max.recordsPerSecond()),
                Markdown.ms(max.p50Ms()), Markdown.ms(max.p95Ms()), Markdown.ms(max.p99Ms()), "–"));
        rows.add(List.of("ProducerPerformance " + perfRate + "/s", Markdown.rate(atRate.recordsPerSecond()),
                Markdown.ms(atRate.p50Ms()), Markdown.ms(atRate.p95Ms()), Markdown.ms(atRate.p99Ms()), "–"));
        categories.add("API closed loop");
        throughput.add(single.result().jobsPerSecond());
        p99.add(0.0);
        categories.add("API NDJSON batches");
        throughput.add(batches.result().jobsPerSecond());
        p99.add(0.0);
        categories.add("ProducerPerformance");
        throughput.add(max.recordsPerSecond());
        p99.add(0.0);
        double ratio = Markdown.divide(saturated, max.recordsPerSecond());
        double overSync = Markdown.divide(saturated, syncSaturation);
        double closedOverSync = Markdown.divide(single.result().jobsPerSecond(), syncSaturation);
        double batchRatio = Markdown.divide(batches.result().jobsPerSecond(), max.recordsPerSecond());
        report.put("ratios", Map.of("apiSaturationOverProducerPerformance", finiteOr(ratio),
                "apiP99AtPerfRateMs", finiteOr(apiP99AtPerfRate),
                "apiSaturationOverSynchronousApi", finiteOr(overSync),
                "closedLoopSingleJobsOverSynchronousApi", finiteOr(closedOverSync),
                "batchJobsOverProducerPerformance", finiteOr(batchRatio)));
        StringBuilder md = new StringBuilder("## POST /jobs against Kafka's ProducerPerformance\n\n");
        md.append(Markdown.table(List.of("load", "accepted (/s)", "p50 (ms)", "p95 (ms)", "p99 (ms)", "errors"), rows));
        md.append(String.format(Locale.ROOT, "%n- API at saturation / ProducerPerformance unthrottled: **%s**"
                        + "%n- API at saturation / the previous synchronous API's documented saturation (%,d/s, not "
                        + "measured in this run: that code is gone): **%s** (target ≥ 2)"
                        + "%n- API p99 at %d/s: **%s ms** (ProducerPerformance at the same rate: %s ms)"
                        + "%n- Record: %d-byte Job JSON (the API also adds a 36-byte key and a correlation header); acks=all."
                        + "%n- API latency is measured by the load generator from when each request was due (open loop); "
                        + "at saturation the offered rate exceeds capacity, so only throughput is reported.%n",
                Markdown.ratio(ratio), syncSaturation, Markdown.ratio(overSync), perfRate,
                Markdown.ms(apiP99AtPerfRate), Markdown.ms(atRate.p99Ms()), recordSize));
        md.append(String.format(Locale.ROOT, "%n### Closed-loop clients: single jobs and NDJSON batches%n%n"));
        md.append(Markdown.table(List.of("requests", "clients", "requests (/s)", "jobs accepted (/s)", "p50 (ms)",
                "p95 (ms)", "p99 (ms)", "API CPU per job (µs)", "rejected", "errors"), List.of(
                closedLoopRow("single jobs", single),
                closedLoopRow("batches of " + batches.result().jobsPerRequest(), batches))));
        md.append(String.format(Locale.ROOT, "%n- Single jobs, closed loop / the synchronous API's saturation: **%s** "
                        + "(target ≥ 2)"
                        + "%n- Jobs through batches / ProducerPerformance unthrottled: **%s** (target ≥ 0.5)"
                        + "%n- Each client sends its next request when the answer to the last came; a request is "
                        + "answered once Kafka acknowledged its jobs. Latency is per request (a whole batch), from "
                        + "sending to the whole answer. API CPU per job: the API process's CPU time during the step "
                        + "over its accepted jobs.%s%n",
                Markdown.ratio(closedOverSync), Markdown.ratio(batchRatio),
                errorNote(single) + errorNote(batches)));
        report.section(md.toString());
        Files.createDirectories(outDir);
        Charts.bars(outDir.resolve("ingest-throughput.png"), "Records accepted per second (acks=all)", "per second",
                categories, Map.of("accepted per second", throughput));
        report.plot("ingest-throughput.png");
        List<String> latCategories = new ArrayList<>();
        List<Double> apiP99 = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            if (!(boolean) steps.get(i).get("saturation")) {
                latCategories.add(steps.get(i).get("offeredPerSecond") + "/s");
                apiP99.add(p99.get(i));
            }
        }
        Charts.bars(outDir.resolve("ingest-latency.png"), "POST /jobs p99 latency by offered rate", "ms",
                latCategories, Map.of("p99", apiP99));
        report.plot("ingest-latency.png");
    }

    private static List<String> closedLoopRow(String label, ClosedLoop step) {
        PostClients.Result r = step.result();
        return List.of(label, String.valueOf(r.clients()), Markdown.rate(r.requestsPerSecond()),
                Markdown.rate(r.jobsPerSecond()), Markdown.ms(r.latencyMs().p50()), Markdown.ms(r.latencyMs().p95()),
                Markdown.ms(r.latencyMs().p99()), Markdown.number(step.apiMicrosPerJob(), 1),
                String.valueOf(r.rejected()), String.valueOf(r.errors()));
    }

    private static String errorNote(ClosedLoop step) {
        return step.result().errors() == 0 ? "" : " Errors: " + step.result().errorKinds() + ".";
    }

    private static double finiteOr(double value) {
        return Double.isFinite(value) ? value : -1;
    }

    private static double num(Map<String, Object> m, String key) {
        return m != null && m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
