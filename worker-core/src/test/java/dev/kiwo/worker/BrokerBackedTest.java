package dev.kiwo.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Simulation;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.testsupport.TopicReader;
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
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What the broker-backed tests of the worker share: one running {@link WorkerTestApplication} (declared once here
 * so that every subclass gets the same cached context, hence one consumer group), a producer and topic readers.
 */
@SpringBootTest
abstract class BrokerBackedTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", KafkaTestBroker::bootstrapServers);
    }

    @Autowired
    MeterRegistry meters;

    KafkaProducer<String, byte[]> producer;

    @BeforeEach
    void startProducer() {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()),
                Serdes.String().serializer(), Serdes.ByteArray().serializer());
    }

    @AfterEach
    void stopProducer() {
        producer.close();
    }

    /** Sends a record to jobs.light, as the classifier would. */
    RecordMetadata send(Integer partition, String key, byte[] value, String correlationId) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.JOBS_LIGHT.name(), partition, key, value);
        record.headers().add(KiwoHeaders.CORRELATION_ID, correlationId.getBytes(StandardCharsets.UTF_8));
        try {
            return producer.send(record).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Could not send " + key, e);
        }
    }

    static <V> ConsumerRecord<String, V> single(Map<String, List<ConsumerRecord<String, V>>> byKey, String key) {
        assertThat(byKey.get(key)).hasSize(1);
        return byKey.get(key).get(0);
    }

    /** Every record of a topic up to its current end, by key, as a consumer of the given isolation sees it. */
    static Map<String, List<ConsumerRecord<String, byte[]>>> readToEnd(String topic, String isolation) {
        Map<String, List<ConsumerRecord<String, byte[]>>> byKey = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation),
                Serdes.String().deserializer(), Serdes.ByteArray().deserializer())) {
            for (ConsumerRecord<String, byte[]> record : TopicReader.readToEnd(TopicReader.fromBeginning(consumer,
                    topic), WAIT)) {
                byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
            }
        }
        return byKey;
    }

    static <V> Map<String, List<ConsumerRecord<String, V>>> awaitRecords(
            String topic, Deserializer<V> deserializer, Collection<String> keys) {
        Map<String, List<ConsumerRecord<String, V>>> byKey = new HashMap<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                Serdes.String().deserializer(), deserializer)) {
            TopicReader.fromBeginning(consumer, topic);
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

    static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static Job lightJob() {
        return lightJob(null);
    }

    static Job lightJob(Simulation simulate) {
        return new Job(UUID.randomUUID().toString(), "report.pdf", 1, 3, 0,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), simulate);
    }

    static ClassifiedJob classified(Job job, JobClass jobClass) {
        return new ClassifiedJob(job, jobClass, "below all thresholds", Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    static byte[] json(ClassifiedJob job) {
        return Topics.JOBS_LIGHT.valueSerde().serializer().serialize(Topics.JOBS_LIGHT.name(), job);
    }
}
