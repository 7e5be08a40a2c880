package dev.kiwo.load;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.DeadLetterHeaders;
import dev.kiwo.model.Job;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topic;
import dev.kiwo.model.Topics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Re-submits dead-lettered jobs to the topic they failed on, under their original jobId, once the cause is
 * fixed. Only records that are jobs are replayed: the value must read as the source topic's type and the
 * key must be its jobId; anything else (not JSON, wrong schema, no key) is listed and skipped. The replayed
 * record carries the original value and correlation id but none of the retry or failure headers, so it
 * starts again at attempt 1; a {@code kiwo-replayed-from} header names the dead letter it came from.
 *
 * <pre>bash scripts/demo.sh replay [--job-id ID]... [--dry-run]</pre>
 */
@Command(name = "dead-letter-replay", sortOptions = false, sortSynopsis = false,
        description = "Re-submits dead-lettered jobs (jobs.dlq) to the topic they failed on, under their jobId.",
        footer = {"", "Exit status: 0 done, 1 the broker could not be read or written, 2 bad usage."})
public final class DeadLetterReplay implements Callable<Integer> {

    /** Header on a replayed record: {@code jobs.dlq-<partition>@<offset>} of the dead letter. */
    public static final String REPLAYED_FROM = "kiwo-replayed-from";

    /** The classifier's (Kafka Streams') header naming the topic a dead letter came from. */
    static final String STREAMS_SOURCE_TOPIC = "__streams.errors.topic";

    private static final Map<String, Topic<String, ?>> REPLAYABLE = Map.of(
            Topics.JOBS_IN.name(), Topics.JOBS_IN,
            Topics.JOBS_LIGHT.name(), Topics.JOBS_LIGHT,
            Topics.JOBS_HEAVY.name(), Topics.JOBS_HEAVY);

    @Option(names = "--bootstrap-servers", paramLabel = "H:P", required = true,
            description = "the broker holding jobs.dlq")
    String bootstrapServers;

    @Option(names = "--job-id", paramLabel = "ID",
            description = "replay only this job (repeatable); default: every job in jobs.dlq")
    Set<String> only = new HashSet<>();

    @Option(names = "--dry-run", description = "list what would be replayed, send nothing")
    boolean dryRun;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final PrintStream out;

    private DeadLetterReplay(PrintStream out) {
        this.out = out;
    }

    /** What one run did. */
    record Outcome(List<String> replayed, Map<String, String> skipped) {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** Runs the replay as the command line asks; returns the exit status. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandLines.of(new DeadLetterReplay(out), out, err).execute(args.toArray(String[]::new));
    }

    @Override
    public Integer call() {
        replay(bootstrapServers, only, dryRun, out);
        return 0;
    }

    static Outcome replay(String bootstrapServers, Set<String> only, boolean dryRun, PrintStream out) {
        List<ConsumerRecord<byte[], byte[]>> deadLetters = readAll(bootstrapServers);
        List<String> replayed = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = dryRun ? null : producer(bootstrapServers)) {
            for (ConsumerRecord<byte[], byte[]> dead : deadLetters) {
                String key = dead.key() == null ? null : new String(dead.key(), StandardCharsets.UTF_8);
                if (!only.isEmpty() && !only.contains(key)) {
                    continue;
                }
                String where = dead.topic() + "-" + dead.partition() + "@" + dead.offset();
                String source = header(dead, DeadLetterHeaders.SOURCE_TOPIC);
                if (source == null) {
                    source = header(dead, STREAMS_SOURCE_TOPIC);
                }
                String problem = problem(key, source, dead.value());
                if (problem != null) {
                    skipped.put(where, problem);
                    out.printf("skip   %s key=%s: %s%n", where, key, problem);
                    continue;
                }
                if (!dryRun) {
                    ProducerRecord<byte[], byte[]> again = new ProducerRecord<>(source, dead.key(), dead.value());
                    Header correlation = dead.headers().lastHeader(KiwoHeaders.CORRELATION_ID);
                    if (correlation != null) {
                        again.headers().add(correlation);
                    }
                    again.headers().add(REPLAYED_FROM, where.getBytes(StandardCharsets.UTF_8));
                    producer.send(again);
                }
                replayed.add(key);
                out.printf("%s %s -> %s key=%s%n", dryRun ? "would replay" : "replay", where, source, key);
            }
            if (producer != null) {
                producer.flush();
            }
        }
        out.printf("%s %d job(s), skipped %d dead letter(s) of %d%n", dryRun ? "would replay" : "replayed",
                replayed.size(), skipped.size(), deadLetters.size());
        return new Outcome(replayed, skipped);
    }

    /** Why a dead letter cannot be replayed, or null when it can. */
    private static String problem(String key, String source, byte[] value) {
        Topic<String, ?> topic = source == null ? null : REPLAYABLE.get(source);
        if (topic == null) {
            return "no replayable source topic (" + source + ")";
        }
        if (key == null || value == null) {
            return "no key or no value: not a job";
        }
        Object read;
        try {
            read = topic.valueSerde().deserializer().deserialize(source, value);
        } catch (RuntimeException e) {
            return "not a job: " + e.getMessage();
        }
        String jobId = read instanceof ClassifiedJob classified ? classified.job().jobId() : ((Job) read).jobId();
        return key.equals(jobId) ? null : "key is not the jobId " + jobId;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOBS_DLQ.name(), Duration.ofSeconds(30))
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read jobs.dlq to its end within 2 minutes");
                }
                consumer.poll(Duration.ofMillis(500)).forEach(all::add);
            }
        }
        return all;
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
