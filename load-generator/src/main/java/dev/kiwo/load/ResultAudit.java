package dev.kiwo.load;

import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Counts terminal records after a chaos run: every job on {@code jobs.in} (plus any jobIds a client saw
 * accepted) must have exactly one result on {@code jobs.results}, read as a {@code read_committed}
 * consumer from the beginning. Dead letters on {@code jobs.dlq} are counted too. It assigns partitions
 * itself, so it never joins or disturbs a consumer group.
 *
 * <pre>java -cp load-generator-exec.jar -Dloader.main=dev.kiwo.load.ResultAudit \
 *     org.springframework.boot.loader.launch.PropertiesLauncher --bootstrap-servers localhost:9092</pre>
 *
 * Exits 0 when nothing is missing or duplicated, 1 otherwise, 2 on bad options.
 */
public final class ResultAudit {

    static final String USAGE = """
            Usage: result-audit --bootstrap-servers H:P [--accepted FILE] [--timeout D] [--settle D]
              --bootstrap-servers H:P  the broker to read jobs.in, jobs.results and jobs.dlq from
              --accepted FILE          jobIds a client saw accepted, one per line, counted with jobs.in
              --timeout D              how long to wait for every accepted job's result (default 300s)
              --settle D               how long to keep reading once all are there  (default 5s)""";

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration PROGRESS = Duration.ofSeconds(10);
    private static final int SAMPLE = 20;

    private ResultAudit() {
    }

    /** What the topics hold for the accepted jobs. */
    public record Summary(long accepted, long succeeded, long failed, long deadLettered, long missing,
                          long duplicates, long failedWithoutDeadLetter, List<String> missingSample,
                          List<String> duplicateSample) {

        /** The one-line summary, e.g. {@code accepted=5000 succeeded=4990 failed=10 ... duplicates=0}. */
        public String line() {
            return "accepted=" + accepted + " succeeded=" + succeeded + " failed=" + failed + " dead_lettered="
                    + deadLettered + " missing=" + missing + " duplicates=" + duplicates;
        }

        /** Every accepted job has exactly one terminal result. */
        public boolean exactlyOnce() {
            return missing == 0 && duplicates == 0;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --option value, got " + args[i]);
                }
                options.put(args[i].substring(2), args[i + 1]);
            }
            String bootstrap = options.remove("bootstrap-servers");
            if (bootstrap == null) {
                throw new IllegalArgumentException("--bootstrap-servers is required");
            }
            String acceptedFile = options.remove("accepted");
            Duration timeout = LoadPlan.duration(options.getOrDefault("timeout", "300s"));
            Duration settle = LoadPlan.duration(options.getOrDefault("settle", "5s"));
            options.remove("timeout");
            options.remove("settle");
            if (!options.isEmpty()) {
                throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", options.keySet()));
            }
            Set<String> accepted = acceptedFile == null ? Set.of() : readIds(Path.of(acceptedFile));
            Summary summary = audit(bootstrap, accepted, timeout, settle, System.out);
            if (!summary.missingSample().isEmpty()) {
                System.out.println("missing, e.g.: " + summary.missingSample());
            }
            if (!summary.duplicateSample().isEmpty()) {
                System.out.println("duplicated, e.g.: " + summary.duplicateSample());
            }
            if (summary.failedWithoutDeadLetter() > 0) {
                System.out.println("failed without a dead letter: " + summary.failedWithoutDeadLetter());
            }
            System.out.println(summary.line());
            System.exit(summary.exactlyOnce() ? 0 : 1);
        } catch (IllegalArgumentException e) {
            System.err.println("result-audit: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
    }

    private static Set<String> readIds(Path file) throws IOException {
        Set<String> ids = new HashSet<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                ids.add(line.trim());
            }
        }
        return ids;
    }

    /**
     * Reads the three topics from the beginning until every accepted job has a result (or the timeout
     * passes), then for {@code settle} more so that a late duplicate would still be seen.
     */
    public static Summary audit(String bootstrapServers, Set<String> alsoAccepted, Duration timeout,
                                Duration settle, PrintStream out) {
        Set<String> accepted = new HashSet<>(alsoAccepted);
        Map<String, List<JobResult>> results = new HashMap<>();
        Set<String> deadLettered = new HashSet<>();
        long unreadable = 0;
        Deserializer<JobResult> resultReader = Topics.JOBS_RESULTS.valueSerde().deserializer();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties(bootstrapServers),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.JOBS_IN.name(), Topics.JOBS_RESULTS.name(), Topics.JOBS_DLQ.name())) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long start = System.nanoTime();
            long deadline = start + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            long nextProgress = start + PROGRESS.toNanos();
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                    if (record.topic().equals(Topics.JOBS_DLQ.name())) {
                        if (key != null) {
                            deadLettered.add(key);
                        }
                    } else if (key == null) {
                        unreadable++;
                    } else if (record.topic().equals(Topics.JOBS_IN.name())) {
                        accepted.add(key);
                    } else {
                        try {
                            JobResult result = resultReader.deserialize(record.topic(), record.value());
                            results.computeIfAbsent(key, k -> new ArrayList<>()).add(result);
                        } catch (SerializationException e) {
                            unreadable++;
                        }
                    }
                }
                boolean caughtUp = consumer.endOffsets(partitions).entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                if (settleUntil == Long.MAX_VALUE && caughtUp && results.keySet().containsAll(accepted)) {
                    settleUntil = System.nanoTime() + settle.toNanos();
                }
                if (System.nanoTime() >= nextProgress) {
                    long done = accepted.stream().filter(results::containsKey).count();
                    out.printf("audit: %d of %d accepted jobs have a result (%.0fs)%n", done, accepted.size(),
                            (System.nanoTime() - start) / 1e9);
                    nextProgress += PROGRESS.toNanos();
                }
            }
        }
        if (unreadable > 0) {
            out.printf("audit: %d records without a key or with an unreadable result were skipped%n", unreadable);
        }
        return summarize(accepted, results, deadLettered);
    }

    private static Summary summarize(Set<String> accepted, Map<String, List<JobResult>> results,
                                     Set<String> deadLettered) {
        long succeeded = 0;
        long failed = 0;
        long duplicates = 0;
        long failedWithoutDeadLetter = 0;
        List<String> missingSample = new ArrayList<>();
        List<String> duplicateSample = new ArrayList<>();
        long missing = 0;
        for (String jobId : accepted) {
            List<JobResult> forJob = results.get(jobId);
            if (forJob == null) {
                missing++;
                if (missingSample.size() < SAMPLE) {
                    missingSample.add(jobId);
                }
                continue;
            }
            if (forJob.size() > 1) {
                duplicates += forJob.size() - 1;
                if (duplicateSample.size() < SAMPLE) {
                    duplicateSample.add(jobId);
                }
            }
            if (forJob.get(0).status() == JobStatus.SUCCEEDED) {
                succeeded++;
            } else {
                failed++;
                if (!deadLettered.contains(jobId)) {
                    failedWithoutDeadLetter++;
                }
            }
        }
        long deadLetteredAccepted = deadLettered.stream().filter(accepted::contains).count();
        return new Summary(accepted.size(), succeeded, failed, deadLetteredAccepted, missing, duplicates,
                failedWithoutDeadLetter, List.copyOf(missingSample), List.copyOf(duplicateSample));
    }

    private static Properties properties(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "kiwo-result-audit");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1 << 20);
        return props;
    }
}
