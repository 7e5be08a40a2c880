package dev.kiwo.bench;

import dev.kiwo.model.KiwoHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows jobs.light and jobs.heavy (read_committed) from their ends at creation and keeps, per job, the routing
 * configuration version its routed record carries in {@link KiwoHeaders#ROUTING_CONFIG_VERSION}: which
 * configuration decided it. Partitions are assigned, so no group is formed and nothing is committed.
 */
final class RoutedVersions implements AutoCloseable {

    /** A routed record without the header (an older classifier). */
    static final long UNKNOWN = -1;

    private final Map<String, Long> versions = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long highest = UNKNOWN;
    private volatile RuntimeException failure;

    RoutedVersions(Properties client) {
        KafkaConsumer<String, byte[]> consumer = RoutedCounter.fromEndOfPoolTopics(client, new StringDeserializer());
        thread = new Thread(() -> poll(consumer), "bench-routed-versions");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll(KafkaConsumer<String, byte[]> consumer) {
        try (consumer) {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    Header header = r.headers().lastHeader(KiwoHeaders.ROUTING_CONFIG_VERSION);
                    long version = header == null ? UNKNOWN : parse(header.value());
                    if (r.key() != null) {
                        versions.putIfAbsent(r.key(), version);
                    }
                    highest = Math.max(highest, version);
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** The highest version seen on any routed record so far; {@link #UNKNOWN} before the first. */
    long highest() {
        if (failure != null) {
            throw failure;
        }
        return highest;
    }

    /** The version that routed the job, {@link #UNKNOWN} when not seen or without the header. */
    long version(String jobId) {
        return versions.getOrDefault(jobId, UNKNOWN);
    }

    private static long parse(byte[] value) {
        try {
            return Long.parseLong(new String(value, StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
