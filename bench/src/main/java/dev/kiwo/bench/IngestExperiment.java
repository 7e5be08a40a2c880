package dev.kiwo.bench;

import dev.kiwo.model.Job;
import dev.kiwo.model.Topics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * {@code POST /jobs} at fixed rates and at saturation (acks=all, the API's own producer settings), against Kafka's
 * ProducerPerformance on the same broker with the same record size and acks=all. Only the broker and the API run.
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
        List<String> jvm = params.strings("api-jvm", "-Xms64m,-Xmx384m,-XX:+UseSerialGC",
                "-Xms64m,-Xmx384m,-XX:+UseSerialGC");
        List<String> apiArgs = params.strings("api-args", "", "");
        int recordSize = recordSize();

        out.println("[ingest] broker and api");
        stack.startBroker();
        stack.createTopics(new NewTopic(PERF_TOPIC, 6, (short) 1));
        LocalStack.Service api = stack.startService("api", "api-service", List.of(), jvm, apiArgs);
        api.awaitReady();

        int warmupRate = params.integer("warmup-rate", 300, 300);
        out.printf("[ingest] warm-up: %ss at %d/s (not reported)%n", warmup.toSeconds(), warmupRate);
        load(stack, api, "ingest-warmup", warmupRate, Duration.ZERO, warmup, concurrency, out);

        List<Map<String, Object>> steps = new ArrayList<>();
        double best = 0;
        for (int rate : rates) {
            out.printf("%n[ingest] POST /jobs at %d/s for %ss%n", rate, step.toSeconds());
            Map<String, Object> s = step(load(stack, api, "ingest-" + rate, rate, stepWarmup, step, concurrency, out), rate, false);
            steps.add(s);
            best = Math.max(best, (double) s.get("acceptedPerSecond"));
        }
        // The load generator sends every request its schedule holds, however late, so saturation is offered as a
        // multiple of the best rate seen rather than as an arbitrary huge rate; doubled while the API keeps up.
        Map<String, Object> saturation = null;
        for (int round = 0; round < 3; round++) {
            int offered = (int) Math.max(saturationFloor, Math.ceil(best * 2));
            out.printf("%n[ingest] POST /jobs at saturation: %d/s offered for %ss%n", offered, step.toSeconds());
            saturation = step(load(stack, api, "ingest-saturation-" + offered, offered, stepWarmup, step, concurrency, out),
                    offered, true);
            double accepted = (double) saturation.get("acceptedPerSecond");
            if (accepted < 0.9 * offered) {
                break;
            }
            best = accepted;
        }
        steps.add(saturation);
        report.put("api", steps);
        report.put("recordSizeBytes", recordSize);

        out.printf("%n[ingest] ProducerPerformance: %d records of %d bytes, acks=all, unthrottled%n", perfRecords,
                recordSize);
        ProducerPerformanceRun max = perf(stack, "perf-max", perfRecords, recordSize, -1, out);
        long paced = (long) perfRate * step.toSeconds();
        out.printf("[ingest] ProducerPerformance: %d records at %d/s%n", paced, perfRate);
        ProducerPerformanceRun atRate = perf(stack, "perf-" + perfRate, paced, recordSize, perfRate, out);
        report.put("producerPerformance", Map.of("unthrottled", max, "paced", atRate, "pacedRate", perfRate));

        summarise(report, steps, max, atRate, perfRate, recordSize, outDir);
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

    private static Map<String, Object> load(LocalStack stack, LocalStack.Service api, String name, int rate,
                                            Duration warmup, Duration duration, int concurrency, PrintStream out)
            throws Exception {
        return LoadGeneratorProcess.run(stack.layout(), stack.runDir(), name, List.of(
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
        try (Proc proc = Proc.start(name, command, stack.runDir().resolve("logs/" + name + ".log"), null, out)) {
            proc.waitFor(Duration.ofMinutes(5));
            return ProducerPerformanceRun.parse(proc.log());
        }
    }

    @SuppressWarnings("unchecked")
    private static void summarise(BenchReport report, List<Map<String, Object>> steps, ProducerPerformanceRun max,
                                  ProducerPerformanceRun atRate, int perfRate, int recordSize, Path outDir)
            throws Exception {
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
        categories.add("ProducerPerformance");
        throughput.add(max.recordsPerSecond());
        p99.add(0.0);
        double ratio = Markdown.divide(saturated, max.recordsPerSecond());
        report.put("ratios", Map.of("apiSaturationOverProducerPerformance", Double.isFinite(ratio) ? ratio : -1,
                "apiP99AtPerfRateMs", Double.isFinite(apiP99AtPerfRate) ? apiP99AtPerfRate : -1));
        StringBuilder md = new StringBuilder("## POST /jobs against Kafka's ProducerPerformance\n\n");
        md.append(Markdown.table(List.of("load", "accepted (/s)", "p50 (ms)", "p95 (ms)", "p99 (ms)", "errors"), rows));
        md.append(String.format(java.util.Locale.ROOT, "%n- API at saturation / ProducerPerformance unthrottled: **%s**"
                        + "%n- API p99 at %d/s: **%s ms** (ProducerPerformance at the same rate: %s ms)"
                        + "%n- Record: %d-byte Job JSON (the API also adds a 36-byte key and a correlation header); acks=all."
                        + "%n- API latency is measured by the load generator from when each request was due (open loop); "
                        + "at saturation the offered rate exceeds capacity, so only throughput is reported.%n",
                Markdown.ratio(ratio), perfRate, Markdown.ms(apiP99AtPerfRate), Markdown.ms(atRate.p99Ms()),
                recordSize));
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

    private static double num(Map<String, Object> m, String key) {
        return m != null && m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
