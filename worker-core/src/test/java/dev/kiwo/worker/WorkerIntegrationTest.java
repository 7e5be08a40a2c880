package dev.kiwo.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest
class WorkerIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", KafkaTestBroker::bootstrapServers);
    }

    @Autowired
    private MeterRegistry meters;

    private KafkaProducer<String, byte[]> producer;

    @BeforeEach
    void startProducer() {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()),
                Serdes.String().serializer(), Serdes.ByteArray().serializer());
    }

    @AfterEach
    void stopProducer() {
        producer.close();
    }

    @Test
    void publishesExactlyOneResultPerJobWithTheCorrelationId() {
        Map<String, ClassifiedJob> sent = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            ClassifiedJob job = classified(lightJob(), JobClass.LIGHT);
            sent.put(job.job().jobId(), job);
            send(null, job.job().jobId(), json(job), "corr-" + job.job().jobId());
        }

        Map<String, List<ConsumerRecord<String, JobResult>>> results =
                awaitRecords(Topics.JOBS_RESULTS.name(), Topics.JOBS_RESULTS.valueSerde().deserializer(), sent.keySet());

        sent.forEach((jobId, job) -> {
            assertThat(results.get(jobId)).hasSize(1);
            ConsumerRecord<String, JobResult> record = results.get(jobId).get(0);
            JobResult result = record.value();
            assertThat(record.key()).isEqualTo(jobId);
            assertThat(header(record, KiwoHeaders.CORRELATION_ID)).isEqualTo("corr-" + jobId);
            assertThat(result.jobId()).isEqualTo(jobId);
            assertThat(result.jobClass()).isEqualTo(JobClass.LIGHT);
            assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(result.pool()).isEqualTo("light");
            assertThat(result.instance()).isEqualTo("worker-core-test");
            assertThat(result.submittedAt()).isEqualTo(job.job().submittedAt());
            assertThat(result.classifiedAt()).isEqualTo(job.classifiedAt());
            assertThat(result.startedAt()).isAfterOrEqualTo(job.classifiedAt());
            assertThat(result.finishedAt()).isAfterOrEqualTo(result.startedAt());
            assertThat(result.processingMs())
                    .isEqualTo(Duration.between(result.startedAt(), result.finishedAt()).toMillis());
            assertThat(result.error()).isNull();
        });
        assertThat(meters.get("kiwo.worker.jobs").tags("pool", "light", "outcome", "succeeded").counter().count())
                .isGreaterThanOrEqualTo(sent.size());
        assertThat(meters.get("kiwo.worker.processing").tag("pool", "light").timer().count())
                .isGreaterThanOrEqualTo(sent.size());
        assertThat(meters.get("kiwo.worker.end.to.end").tag("class", "light").timer().count())
                .isGreaterThanOrEqualTo(sent.size());
    }

    @Test
    void sendsUnreadableRecordsToTheDlqWithTheOriginalBytesAndKeepsProcessingTheRest() {
        String notJson = UUID.randomUUID().toString();
        String wrongSchema = UUID.randomUUID().toString();
        String brokenContract = UUID.randomUUID().toString();
        String noValue = UUID.randomUUID().toString();
        ClassifiedJob valid = classified(lightJob(), JobClass.LIGHT);
        String breaking = new String(json(valid), StandardCharsets.UTF_8).replace("\"pageCount\":3", "\"pageCount\":-1");
        Map<String, byte[]> bad = new HashMap<>();
        bad.put(notJson, "this is not json".getBytes(StandardCharsets.UTF_8));
        bad.put(wrongSchema, "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8));
        bad.put(brokenContract, breaking.replace(valid.job().jobId(), brokenContract).getBytes(StandardCharsets.UTF_8));
        List<String> good = new ArrayList<>();
        // One partition so that the good records come strictly after the bad ones.
        for (String key : List.of(notJson, wrongSchema, brokenContract)) {
            send(0, key, bad.get(key), "corr-" + key);
        }
        send(0, noValue, null, "corr-" + noValue);
        for (int i = 0; i < 3; i++) {
            ClassifiedJob job = classified(lightJob(), JobClass.LIGHT);
            good.add(job.job().jobId());
            send(0, job.job().jobId(), json(job), "corr-" + job.job().jobId());
        }

        Map<String, List<ConsumerRecord<String, byte[]>>> dead = awaitRecords(Topics.JOBS_DLQ.name(),
                Serdes.ByteArray().deserializer(), List.of(notJson, wrongSchema, brokenContract, noValue));
        Map<String, List<ConsumerRecord<String, JobResult>>> results =
                awaitRecords(Topics.JOBS_RESULTS.name(), Topics.JOBS_RESULTS.valueSerde().deserializer(), good);

        bad.forEach((key, bytes) -> {
            assertThat(dead.get(key)).hasSize(1);
            ConsumerRecord<String, byte[]> record = dead.get(key).get(0);
            assertThat(record.value()).isEqualTo(bytes);
            assertThat(header(record, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(Topics.JOBS_LIGHT.name());
            assertThat(header(record, KafkaHeaders.DLT_EXCEPTION_FQCN)).endsWith("DeserializationException");
            assertThat(header(record, KafkaHeaders.DLT_EXCEPTION_MESSAGE)).isNotBlank();
            assertThat(header(record, KiwoHeaders.CORRELATION_ID)).isEqualTo("corr-" + key);
        });
        assertThat(header(dead.get(notJson).get(0), KafkaHeaders.DLT_EXCEPTION_STACKTRACE))
                .contains("Cannot read ClassifiedJob from jobs.light");
        assertThat(header(dead.get(wrongSchema).get(0), KafkaHeaders.DLT_EXCEPTION_STACKTRACE))
                .contains("job is required");
        assertThat(header(dead.get(brokenContract).get(0), KafkaHeaders.DLT_EXCEPTION_STACKTRACE))
                .contains("pageCount must be >= 0");
        ConsumerRecord<String, byte[]> tombstone = dead.get(noValue).get(0);
        assertThat(tombstone.value()).isNull();
        assertThat(header(tombstone, KafkaHeaders.DLT_EXCEPTION_CAUSE_FQCN))
                .isEqualTo(UnprocessableRecordException.class.getName());
        good.forEach(jobId -> assertThat(results.get(jobId)).hasSize(1));
        assertThat(meters.get("kiwo.worker.jobs").tags("pool", "light", "outcome", "dead_lettered").counter().count())
                .isGreaterThanOrEqualTo(4);
    }

    private void send(Integer partition, String key, byte[] value, String correlationId) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.JOBS_LIGHT.name(), partition, key, value);
        record.headers().add(KiwoHeaders.CORRELATION_ID, correlationId.getBytes(StandardCharsets.UTF_8));
        producer.send(record);
        producer.flush();
    }

    private static <V> Map<String, List<ConsumerRecord<String, V>>> awaitRecords(
            String topic, Deserializer<V> deserializer, Collection<String> keys) {
        Map<String, List<ConsumerRecord<String, V>>> byKey = new HashMap<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                Serdes.String().deserializer(), deserializer)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(WAIT).pollInSameThread().untilAsserted(() -> {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    if (keys.contains(record.key())) {
                        byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
                    }
                }
                assertThat(byKey.keySet()).containsAll(keys);
            });
        }
        return byKey;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static Job lightJob() {
        return new Job(UUID.randomUUID().toString(), "report.pdf", 1, 3, 0,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    private static ClassifiedJob classified(Job job, JobClass jobClass) {
        return new ClassifiedJob(job, jobClass, "below all thresholds", Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    private static byte[] json(ClassifiedJob job) {
        return Topics.JOBS_LIGHT.valueSerde().serializer().serialize(Topics.JOBS_LIGHT.name(), job);
    }
}
