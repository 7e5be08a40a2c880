package dev.kiwo.classifier.routing;

import dev.kiwo.model.RoutingConfig;
import dev.kiwo.model.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads and writes {@code jobs.routing} with plain clients, outside the Streams topology: the start-up seed and the
 * {@code routing} command. Reading applies the rules of {@link LiveRoutingConfig}: the valid record under
 * {@link RoutingConfig#KEY} with the highest version wins, so both agree on what is current.
 */
final class RoutingConfigTopic {

    private static final TopicPartition PARTITION = new TopicPartition(Topics.JOBS_ROUTING.name(), 0);

    private final Map<String, Object> clientConfigs;
    private final Duration timeout;

    /** {@code clientConfigs}: the connection (bootstrap servers, security), shared by the consumer and producer. */
    RoutingConfigTopic(Map<String, Object> clientConfigs, Duration timeout) {
        this.clientConfigs = Map.copyOf(clientConfigs);
        this.timeout = timeout;
    }

    /** The current configuration, or empty while the topic holds none. */
    Optional<RoutingConfig> read() {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.assign(List.of(PARTITION));
            consumer.seekToBeginning(List.of(PARTITION));
            long end = consumer.endOffsets(List.of(PARTITION), timeout).get(PARTITION);
            long deadline = System.nanoTime() + timeout.toNanos();
            RoutingConfig current = null;
            while (consumer.position(PARTITION, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + PARTITION.topic() + " to its end (offset "
                            + end + ") within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    current = newer(current, record);
                }
            }
            return Optional.ofNullable(current);
        }
    }

    /** Whether the topic has never held a record: its end offset is 0. */
    boolean isEmpty() {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            return consumer.endOffsets(List.of(PARTITION), timeout).get(PARTITION) == 0;
        }
    }

    /** Writes a configuration and waits until the broker has it on every in-sync replica. */
    void write(RoutingConfig config) {
        Map<String, Object> configs = new HashMap<>(clientConfigs);
        configs.put(ProducerConfig.ACKS_CONFIG, "all");
        configs.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        configs.put(ProducerConfig.CLIENT_ID_CONFIG, "kiwo-routing-config");
        try (KafkaProducer<String, RoutingConfig> producer = new KafkaProducer<>(configs,
                Topics.JOBS_ROUTING.keySerde().serializer(), Topics.JOBS_ROUTING.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.JOBS_ROUTING.name(), RoutingConfig.KEY, config))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + PARTITION.topic(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write to " + PARTITION.topic() + ": " + e.getMessage(), e);
        }
    }

    private static RoutingConfig newer(RoutingConfig current, ConsumerRecord<String, byte[]> record) {
        if (!RoutingConfig.KEY.equals(record.key()) || record.value() == null) {
            return current;
        }
        try {
            RoutingConfig next = Topics.JOBS_ROUTING.valueSerde().deserializer().deserialize(record.topic(),
                    record.value());
            // The later of two records of one version wins, as compaction keeps the later one under the key.
            return current == null || next.version() >= current.version() ? next : current;
        } catch (SerializationException e) {
            return current;
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Map<String, Object> configs = new HashMap<>(clientConfigs);
        configs.remove(ConsumerConfig.GROUP_ID_CONFIG);
        configs.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        configs.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        configs.put(ConsumerConfig.CLIENT_ID_CONFIG, "kiwo-routing-config-reader");
        return new KafkaConsumer<>(configs, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
