package dev.kiwo.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.DeadLetterHeaders;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.TopicLayout;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.testsupport.TopicReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Replays dead letters on a real broker and checks what reaches the source topics. */
class DeadLetterReplayTest {

    private static String kafka;

    @BeforeAll
    static void topics() throws Exception {
        kafka = KafkaTestBroker.bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            admin.createTopics(TopicLayout.DEFAULTS.newTopics()).all().get();
        }
    }

    @Test
    void replaysJobsToTheirSourceTopicUnderTheirJobIdAndSkipsWhatIsNoJob() throws Exception {
        Job failedInWorker = job();
        ClassifiedJob classified = new ClassifiedJob(failedInWorker, JobClass.LIGHT, "below all thresholds",
                Instant.now());
        Job failedInClassifier = job();
        String noJobKey = UUID.randomUUID().toString();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            // A job a worker gave up on: its retry and failure headers must not travel with the replay.
            ProducerRecord<byte[], byte[]> worker = deadLetter(failedInWorker.jobId(),
                    Topics.JOBS_LIGHT.valueSerde().serializer().serialize("jobs.light", classified));
            worker.headers().add(DeadLetterHeaders.SOURCE_TOPIC, bytes("jobs.light"))
                    .add(DeadLetterHeaders.ATTEMPTS, bytes("3"))
                    .add(KiwoHeaders.CORRELATION_ID, bytes("corr-1"));
            // A job the classifier could not route.
            ProducerRecord<byte[], byte[]> classifier = deadLetter(failedInClassifier.jobId(),
                    Topics.JOBS_IN.valueSerde().serializer().serialize("jobs.in", failedInClassifier));
            classifier.headers().add(DeadLetterReplay.STREAMS_SOURCE_TOPIC, bytes("jobs.in"));
            // Not a job: nothing to replay.
            ProducerRecord<byte[], byte[]> garbage = deadLetter(noJobKey, bytes("not json"));
            garbage.headers().add(DeadLetterHeaders.SOURCE_TOPIC, bytes("jobs.heavy"));
            for (ProducerRecord<byte[], byte[]> record : List.of(worker, classifier, garbage)) {
                producer.send(record).get();
            }
        }
        Set<String> ours = Set.of(failedInWorker.jobId(), failedInClassifier.jobId(), noJobKey);

        // The dry run as demo.sh replay passes it: through the command line
        ByteArrayOutputStream listed = new ByteArrayOutputStream();
        int dryRun = DeadLetterReplay.run(List.of("--bootstrap-servers", kafka, "--dry-run", "--job-id="
                + failedInWorker.jobId()), new PrintStream(listed, true, StandardCharsets.UTF_8), quiet());
        DeadLetterReplay.Outcome outcome = DeadLetterReplay.replay(kafka, ours, false, quiet());

        assertThat(dryRun).isZero();
        assertThat(listed.toString(StandardCharsets.UTF_8)).contains("would replay jobs.dlq-",
                "key=" + failedInWorker.jobId(), "would replay 1 job(s)");
        assertThat(outcome.replayed()).containsExactlyInAnyOrder(failedInWorker.jobId(), failedInClassifier.jobId());
        assertThat(outcome.skipped().values()).singleElement().asString().startsWith("not a job");
        ConsumerRecord<byte[], byte[]> light = single(read("jobs.light"), failedInWorker.jobId());
        assertThat(Topics.JOBS_LIGHT.valueSerde().deserializer().deserialize("jobs.light", light.value()))
                .isEqualTo(classified);
        assertThat(light.headers().lastHeader(KiwoHeaders.CORRELATION_ID).value()).isEqualTo(bytes("corr-1"));
        assertThat(light.headers().lastHeader(DeadLetterHeaders.ATTEMPTS)).isNull();
        assertThat(new String(light.headers().lastHeader(DeadLetterReplay.REPLAYED_FROM).value(),
                StandardCharsets.UTF_8)).startsWith("jobs.dlq-");
        assertThat(single(read("jobs.in"), failedInClassifier.jobId())).isNotNull();
        assertThat(read("jobs.heavy")).noneMatch(r -> new String(r.key(), StandardCharsets.UTF_8).equals(noJobKey));
    }

    private static Job job() {
        return new Job(UUID.randomUUID().toString(), "replay.pdf", 1, 1, 0, Instant.now());
    }

    private static ProducerRecord<byte[], byte[]> deadLetter(String key, byte[] value) {
        return new ProducerRecord<>(Topics.JOBS_DLQ.name(), bytes(key), value);
    }

    private static ConsumerRecord<byte[], byte[]> single(List<ConsumerRecord<byte[], byte[]>> records, String key) {
        List<ConsumerRecord<byte[], byte[]>> matching = records.stream()
                .filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(key)).toList();
        assertThat(matching).as("records keyed %s", key).hasSize(1);
        return matching.get(0);
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            return TopicReader.readToEnd(TopicReader.fromBeginning(consumer, topic), Duration.ofSeconds(30));
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
