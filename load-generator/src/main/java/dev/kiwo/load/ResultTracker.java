package dev.kiwo.load;

import dev.kiwo.model.JobResult;
import dev.kiwo.model.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads {@code jobs.results} as a {@code read_committed} consumer from the moment it is started, so that
 * the run can report which accepted jobs finished, how long they took end to end, and any duplicates.
 * It assigns partitions itself (no consumer group), so it never disturbs the services' groups.
 */
final class ResultTracker implements CompletionWatch {

    private final KafkaConsumer<String, JobResult> consumer;
    private final Map<String, Finished> results = new ConcurrentHashMap<>();
    private final LongAdder duplicates = new LongAdder();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread poller;

    ResultTracker(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "kiwo-load-results");
        consumer = new KafkaConsumer<>(props, Topics.JOBS_RESULTS.keySerde().deserializer(),
                Topics.JOBS_RESULTS.valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOBS_RESULTS.name(), Duration.ofSeconds(30))
                .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("topic " + Topics.JOBS_RESULTS + " not found at " + bootstrapServers);
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        poller = new Thread(this::poll, "load-results");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll() {
        while (running.get()) {
            for (ConsumerRecord<String, JobResult> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.value() != null && results.putIfAbsent(record.key(), Finished.of(record.value())) != null) {
                    duplicates.increment();
                }
            }
        }
        consumer.close(Duration.ofSeconds(2));
    }

    /** Nothing to start: every result since the tracker was made is read, the accepted jobs' among them. */
    @Override
    public void follow(List<String> jobIds) {
    }

    @Override
    public long finished(Collection<String> jobIds) {
        return jobIds.stream().filter(results::containsKey).count();
    }

    @Override
    public long settled(Collection<String> jobIds) {
        return finished(jobIds);
    }

    @Override
    public Outcome outcome() {
        return new Outcome(LoadPlan.Completion.KAFKA, Map.copyOf(results), duplicates.sum(), Map.of(), Set.of(),
                Map.of());
    }

    @Override
    public void close() {
        running.set(false);
        try {
            poller.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
