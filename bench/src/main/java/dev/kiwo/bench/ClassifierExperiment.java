package dev.kiwo.bench;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.Topics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Records per second through the classifier's topology with exactly_once_v2 and with at_least_once, against a
 * plain consume→produce pipe over the same preloaded records, in one run; then the latency each adds to a paced
 * stream.
 */
final class ClassifierExperiment implements Experiment {

    static final String PIPE = "plain pipe";

    @Override
    public String name() {
        return "classifier";
    }

    @Override
    public void run(Params params, LocalStack stack, BenchReport report, Path outDir, PrintStream out)
            throws Exception {
        int records = params.integer("records", 30_000, 200_000);
        double heavyShare = params.number("heavy-share", 0.2, 0.2);
        int pacedRate = params.integer("paced-rate", 100, 200);
        Duration pacedFor = params.duration("paced-for", "5s", "15s");
        Duration phaseTimeout = params.duration("phase-timeout", "150s", "300s");
        List<String> variants = params.strings("variants", "pipe,at_least_once,exactly_once_v2",
                "pipe,at_least_once,exactly_once_v2");
        List<String> jvm = params.strings("classifier-jvm", "-Xms64m,-Xmx384m,-XX:+UseSerialGC",
                "-Xms64m,-Xmx384m,-XX:+UseSerialGC");
        List<String> springArgs = params.strings("classifier-args", "", "");

        out.println("[classifier] broker");
        stack.startBroker();
        stack.createTopics();
        out.printf("[classifier] preloading %d jobs into %s%n", records, Topics.JOBS_IN.name());
        SplittableRandom random = new SplittableRandom(42);
        try (KafkaProducer<String, Job> producer = producer(stack)) {
            for (int i = 0; i < records; i++) {
                Job job = job(random, heavyShare);
                producer.send(new ProducerRecord<>(Topics.JOBS_IN.name(), job.jobId(), job));
            }
            producer.flush();
        }

        Map<String, Object> byVariant = new LinkedHashMap<>();
        for (String variant : variants) {
            long expected = endOffsets(stack, Topics.JOBS_IN.name());
            out.printf("%n[classifier] %s: routing %d records%n", label(variant), expected);
            try (RoutedCounter counter = new RoutedCounter(stack.clientProperties())) {
                AutoCloseable running = start(variant, stack, jvm, springArgs);
                try {
                    RoutedCounter.Throughput t = counter.awaitCount(expected, phaseTimeout, out);
                    out.printf("[classifier] %s: %s records/s; now %ss of paced input at %d/s%n", label(variant),
                            Markdown.rate(t.perSecond()), pacedFor.toSeconds(), pacedRate);
                    counter.startLatency();
                    long paced = pace(stack, pacedRate, pacedFor, random);
                    counter.awaitCount(expected + paced, phaseTimeout, out);
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("records", expected);
                    f.put("recordsPerSecond", t.perSecond());
                    f.put("routingSeconds", t.seconds());
                    f.put("pacedRecords", paced);
                    f.put("pacedLatencyMs", Stats.of(counter.latencies()).toMap());
                    byVariant.put(label(variant), f);
                } finally {
                    running.close();
                }
            }
        }
        report.put("variants", byVariant);
        summarise(report, byVariant, outDir, records, heavyShare, pacedRate, springArgs);
    }

    private static String label(String variant) {
        return "pipe".equals(variant) ? PIPE : variant;
    }

    private static AutoCloseable start(String variant, LocalStack stack, List<String> jvm, List<String> springArgs)
            throws Exception {
        if ("pipe".equals(variant)) {
            PlainPipe pipe = new PlainPipe(stack.clientProperties(), "bench-pipe-" + System.currentTimeMillis());
            pipe.start();
            return pipe;
        }
        if (!variant.equals("at_least_once") && !variant.equals("exactly_once_v2")) {
            throw new IllegalArgumentException("unknown variant " + variant + " (pipe, at_least_once, exactly_once_v2)");
        }
        String id = "bench-classifier-" + variant.replace('_', '-') + "-" + System.currentTimeMillis();
        List<String> args = new ArrayList<>(List.of("--spring.kafka.streams.application-id=" + id,
                "--spring.kafka.streams.state-dir=" + stack.runDir().resolve("state/" + id),
                "--spring.kafka.streams.properties.processing.guarantee=" + variant));
        args.addAll(springArgs);
        LocalStack.Service service = stack.startService("classifier-" + variant, "classifier-service", List.of(), jvm,
                args);
        return service::stop;
    }

    private static long pace(LocalStack stack, int rate, Duration duration, SplittableRandom random) {
        long total = (long) rate * duration.toSeconds();
        long start = System.nanoTime();
        try (KafkaProducer<String, Job> producer = producer(stack)) {
            for (long i = 0; i < total; i++) {
                long due = start + (long) (i * 1e9 / rate);
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(Math.max(1, due - System.nanoTime()));
                }
                Job job = job(random, 0.2);
                producer.send(new ProducerRecord<>(Topics.JOBS_IN.name(), job.jobId(), job));
            }
            producer.flush();
        }
        return total;
    }

    private static KafkaProducer<String, Job> producer(LocalStack stack) {
        Properties p = stack.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, Topics.JOBS_IN.keySerde().serializer(), Topics.JOBS_IN.valueSerde().serializer());
    }

    static Job job(SplittableRandom random, double heavyShare) {
        String id = UUID.randomUUID().toString();
        if (random.nextDouble() < heavyShare) {
            return new Job(id, "heavy.pdf", 50 + random.nextDouble(30), random.nextInt(20, 250), random.nextInt(60),
                    Instant.now());
        }
        return new Job(id, "light.pdf", 0.1 + random.nextDouble(1.9), random.nextInt(1, 10), random.nextInt(3),
                Instant.now());
    }

    private static long endOffsets(LocalStack stack, String topic) throws Exception {
        try (Admin admin = stack.admin()) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
            for (int i = 0; i < partitions; i++) {
                request.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        }
    }

    @SuppressWarnings("unchecked")
    private static void summarise(BenchReport report, Map<String, Object> byVariant, Path outDir, int records,
                                  double heavyShare, int pacedRate, List<String> springArgs) throws Exception {
        Map<String, Object> pipeFigures = byVariant.get(PIPE) instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
        double pipe = pipeFigures == null ? Double.NaN : ((Number) pipeFigures.get("recordsPerSecond")).doubleValue();
        double pipeP50 = pipeFigures == null ? Double.NaN
                : num((Map<String, Object>) pipeFigures.get("pacedLatencyMs"), "p50");
        List<List<String>> rows = new ArrayList<>();
        Map<String, Object> ratios = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        for (Map.Entry<String, Object> e : byVariant.entrySet()) {
            Map<String, Object> f = (Map<String, Object>) e.getValue();
            double rate = ((Number) f.get("recordsPerSecond")).doubleValue();
            Map<String, Object> lat = (Map<String, Object>) f.get("pacedLatencyMs");
            double ratio = Markdown.divide(rate, pipe);
            double added = num(lat, "p50") - pipeP50;
            rows.add(List.of(e.getKey(), Markdown.rate(rate), Markdown.ratio(ratio), Markdown.ms(num(lat, "p50")),
                    Markdown.ms(num(lat, "p99")), PIPE.equals(e.getKey()) ? "–" : Markdown.ms(added)));
            if (!PIPE.equals(e.getKey()) && Double.isFinite(ratio)) {
                ratios.put(e.getKey() + "OverPipe", ratio);
                ratios.put(e.getKey() + "AddedP50Ms", Double.isFinite(added) ? added : null);
            }
            names.add(e.getKey());
            rates.add(rate);
        }
        report.put("ratios", ratios);
        StringBuilder md = new StringBuilder("## Classifier topology against a plain consume→produce pipe\n\n");
        md.append(Markdown.table(List.of("variant", "records (/s)", "ratio to pipe", "paced p50 (ms)", "paced p99 (ms)",
                "added p50 (ms)"), rows));
        md.append(String.format(Locale.ROOT, "%n- %d preloaded jobs (%.0f%% heavy), routed from jobs.in to jobs.light / "
                + "jobs.heavy; rate = records between the first and the last routed record seen by a read_committed "
                + "consumer, so start-up is excluded.%n- Paced: %d jobs/s produced to jobs.in with the variant running; "
                + "latency from the input record's timestamp to its routed copy being readable (read_committed), which "
                + "for exactly_once_v2 includes the commit interval.%n- The classifier runs as deployed%s; the pipe logs "
                + "nothing.%n", records, heavyShare * 100, pacedRate,
                springArgs.isEmpty() ? "" : ", with " + String.join(" ", springArgs)));
        report.section(md.toString());
        Files.createDirectories(outDir);
        Charts.bars(outDir.resolve("classifier-throughput.png"), "Records routed per second", "per second", names,
                Map.of("records per second", rates));
        report.plot("classifier-throughput.png");
    }

    private static double num(Map<String, Object> m, String key) {
        return m != null && m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** The rule the classifier applies, repeated for the pipe, which must do comparable work. */
    static JobClass classify(Job job) {
        return job.fileSizeMb() >= 50 || job.pageCount() >= 200 || job.imageCount() >= 50 ? JobClass.HEAVY
                : JobClass.LIGHT;
    }

    static ClassifiedJob classified(Job job) {
        JobClass c = classify(job);
        return new ClassifiedJob(job, c, c == JobClass.HEAVY ? "size" : "small", Instant.now());
    }
}
