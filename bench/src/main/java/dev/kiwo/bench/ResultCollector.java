package dev.kiwo.bench;

import dev.kiwo.model.JobResult;
import dev.kiwo.model.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows {@code jobs.results} (read_committed) from its end at creation and keeps the first result of every
 * job. Partitions are assigned, not subscribed, so no group is formed and nothing is committed.
 */
final class ResultCollector implements AutoCloseable {

    private final Map<String, JobResult> results = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    ResultCollector(Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, JobResult> consumer = new KafkaConsumer<>(p,
                Topics.JOBS_RESULTS.keySerde().deserializer(), Topics.JOBS_RESULTS.valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOBS_RESULTS.name()).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        thread = new Thread(() -> poll(consumer), "bench-results");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll(KafkaConsumer<String, JobResult> consumer) {
        try (consumer) {
            while (running) {
                for (ConsumerRecord<String, JobResult> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.value() != null) {
                        results.putIfAbsent(r.value().jobId(), r.value());
                    }
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** The results so far from workers of the given pool names. */
    List<JobResult> fromPools(List<String> pools) {
        if (failure != null) {
            throw failure;
        }
        return results.values().stream().filter(r -> pools.contains(r.pool().toLowerCase(Locale.ROOT))).toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
