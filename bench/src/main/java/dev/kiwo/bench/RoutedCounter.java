package dev.kiwo.bench;

import dev.kiwo.model.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Counts records that become readable (read_committed) on jobs.light and jobs.heavy from their ends at creation,
 * noting when the first arrived and when each count was reached; optionally the latency of each record from
 * its timestamp, which routing keeps from the input record.
 */
final class RoutedCounter implements AutoCloseable {

    record Throughput(double perSecond, double seconds) {
    }

    private final Thread thread;
    private final List<Double> latencies = new ArrayList<>();
    private volatile boolean running = true;
    private volatile boolean recordLatency;
    private volatile long count;
    private volatile long firstNanos = -1;
    private volatile long lastNanos = -1;
    private volatile RuntimeException failure;

    RoutedCounter(Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        KafkaConsumer<byte[], byte[]> consumer = fromEndOfPoolTopics(p, new ByteArrayDeserializer());
        thread = new Thread(() -> poll(consumer), "bench-routed");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll(KafkaConsumer<byte[], byte[]> consumer) {
        try (consumer) {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(50));
                if (records.isEmpty()) {
                    continue;
                }
                long now = System.nanoTime();
                long wall = System.currentTimeMillis();
                if (firstNanos < 0) {
                    firstNanos = now;
                }
                if (recordLatency) {
                    synchronized (latencies) {
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            latencies.add((double) Math.max(0, wall - r.timestamp()));
                        }
                    }
                }
                lastNanos = now;
                count += records.count();
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** Waits for {@code n} records in all; the rate counts from the first record seen to the n-th. */
    Throughput awaitCount(long n, Duration timeout, PrintStream out) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (count < n) {
            if (failure != null) {
                throw failure;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + count + " of " + n + " records routed within "
                        + timeout.toSeconds() + "s");
            }
            if (System.nanoTime() > nextProgress) {
                out.printf("    routed %d of %d%n", count, n);
                nextProgress += TimeUnit.SECONDS.toNanos(5);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        double seconds = (lastNanos - firstNanos) / 1e9;
        return new Throughput(seconds > 0 ? (count - 1) / seconds : Double.NaN, seconds);
    }

    void startLatency() {
        recordLatency = true;
    }

    double[] latencies() {
        synchronized (latencies) {
            return latencies.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }

    /**
     * A read_committed consumer of jobs.light and jobs.heavy, assigned every partition and positioned at the end, so
     * it sees only what is routed from now on.
     */
    static <K> KafkaConsumer<K, byte[]> fromEndOfPoolTopics(Properties client, Deserializer<K> keys) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<K, byte[]> consumer = new KafkaConsumer<>(p, keys, new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.JOBS_LIGHT.name(), Topics.JOBS_HEAVY.name())) {
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }
}
