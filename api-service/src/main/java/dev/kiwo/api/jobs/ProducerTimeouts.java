package dev.kiwo.api.jobs;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The timeouts of every API producer (jobs.in, jobs.cancellations), so that the client gives up about when the
 * request does: send() blocks at most max.block.ms, a record expires after delivery.timeout.ms, which Kafka requires
 * to be at least linger.ms + request.timeout.ms.
 */
public final class ProducerTimeouts {

    private ProducerTimeouts() {
    }

    /** Producer configs for a request that waits at most {@code produceTimeout}, with this linger. */
    public static Map<String, Object> of(Duration produceTimeout, long lingerMs) {
        long timeoutMs = produceTimeout.toMillis();
        return Map.of(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeoutMs),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1, timeoutMs - lingerMs)));
    }
}
