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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
@Command(name = "result-audit", sortOptions = false, sortSynopsis = false,
        description = "Checks that every accepted job has exactly one result on jobs.results; counts jobs.dlq.",
        footer = {"", "Durations: 500ms, 30s, 2m.",
                "Exit status: 0 nothing missing or duplicated, 1 otherwise, 2 bad usage."})
public final class ResultAudit implements Callable<Integer> {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration PROGRESS = Duration.ofSeconds(10);
    private static final int SAMPLE = 20;

    @Option(names = "--bootstrap-servers", paramLabel = "H:P", required = true,
            description = "the broker to read jobs.in, jobs.results and jobs.dlq from")
    String bootstrapServers;

    @Option(names = "--accepted", paramLabel = "FILE",
            description = "jobIds a client saw accepted, one per line, counted with jobs.in")
    Path acceptedFile;

    @Option(names = "--timeout", paramLabel = "D", defaultValue = "300s",
            description = "how long to wait for every accepted job's result (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--settle", paramLabel = "D", defaultValue = "5s",
            description = "how long to keep reading once all are there (default: ${DEFAULT-VALUE})")
    Duration settle;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final PrintStream out;

    private ResultAudit(PrintStream out) {
        this.out = out;
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

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** Runs the audit as the command line asks; returns the exit status. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandLines.of(new ResultAudit(out), out, err).execute(args.toArray(String[]::new));
    }

    @Override
    public Integer call() throws IOException {
        Set<String> accepted = acceptedFile == null ? Set.of() : readIds(acceptedFile);
        Summary summary = audit(bootstrapServers, accepted, timeout, settle, out);
        if (!summary.missingSample().isEmpty()) {
            out.println("missing, e.g.: " + summary.missingSample());
        }
        if (!summary.duplicateSample().isEmpty()) {
            out.println("duplicated, e.g.: " + summary.duplicateSample());
        }
        if (summary.failedWithoutDeadLetter() > 0) {
            out.println("failed without a dead letter: " + summary.failedWithoutDeadLetter());
        }
        out.println(summary.line());
        return summary.exactlyOnce() ? 0 : 1;
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
