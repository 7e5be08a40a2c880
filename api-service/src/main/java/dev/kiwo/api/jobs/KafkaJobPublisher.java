package dev.kiwo.api.jobs;

import dev.kiwo.api.ApiProperties;
import dev.kiwo.model.Job;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Produces jobs to {@code jobs.in} keyed by jobId and waits for the broker's acknowledgement, never longer than
 * {@code kiwo.api.produce-timeout} in total: {@code send} may block on metadata, and whatever of the bound is
 * left is spent waiting on the ack.
 */
@Component
class KafkaJobPublisher implements JobPublisher {

    private static final Logger log = LoggerFactory.getLogger(KafkaJobPublisher.class);

    private final KafkaTemplate<String, Job> template;
    private final Duration timeout;
    private final Duration retryAfter;

    KafkaJobPublisher(KafkaTemplate<String, Job> template, ApiProperties properties) {
        this.template = template;
        this.timeout = properties.produceTimeout();
        this.retryAfter = properties.retryAfter();
    }

    /** Creates the producer before traffic arrives, so no request spends its time bound on client start-up. */
    @EventListener(ApplicationStartedEvent.class)
    void createProducer() {
        template.execute(producer -> null);
    }

    @Override
    public void publish(Job job, String correlationId) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ProducerRecord<String, Job> record = new ProducerRecord<>(Topics.JOBS_IN.name(), null, job.jobId(), job,
                List.of(new RecordHeader(KiwoHeaders.CORRELATION_ID, correlationId.getBytes(StandardCharsets.UTF_8))));
        try {
            template.send(record).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw notPublished(job, correlationId, "no acknowledgement from Kafka within " + timeout, e);
        } catch (ExecutionException e) {
            throw notPublished(job, correlationId, "Kafka rejected the write", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notPublished(job, correlationId, "interrupted while waiting for Kafka", e);
        } catch (KafkaException | org.springframework.kafka.KafkaException e) {
            throw notPublished(job, correlationId, "Kafka is unavailable", e);
        }
    }

    private JobNotPublishedException notPublished(Job job, String correlationId, String reason, Throwable cause) {
        log.warn("Job {} not accepted, correlationId={}: {} ({})", job.jobId(), correlationId, reason,
                cause == null ? "no cause" : cause.toString());
        return new JobNotPublishedException(reason, retryAfter, cause);
    }
}
