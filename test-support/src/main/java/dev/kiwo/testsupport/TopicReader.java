package dev.kiwo.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads topics the way a test checks them: every partition assigned, no consumer group (nothing joins, nothing is
 * committed), from the beginning.
 */
public final class TopicReader {

    private TopicReader() {
    }

    /** Assigns every partition of the topics to the consumer and seeks to their beginning; returns the consumer. */
    public static <C extends Consumer<?, ?>> C fromBeginning(C consumer, String... topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /**
     * Every record in the consumer's assigned partitions up to their end offsets as of this call. Fails if that
     * end is not reached within the timeout.
     */
    public static <K, V> List<ConsumerRecord<K, V>> readToEnd(Consumer<K, V> consumer, Duration timeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("end of " + end.keySet() + " not reached within " + timeout);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }
}
