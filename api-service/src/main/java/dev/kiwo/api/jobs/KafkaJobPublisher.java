package dev.kiwo.api.jobs;

import dev.kiwo.api.ApiProperties;
import dev.kiwo.model.Job;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topics;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.SenderContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;
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
 *
 * <p>Each publish is a {@code kiwo.api.publish} observation: a timer (the produce latency the client sees, ack
 * included) and a span, child of the request's, whose context goes into the record as {@code traceparent} so the
 * job's trace continues in the classifier and the worker. Spring Kafka's template observation would do the
 * same, but it looks up the cluster id before each send until it has one, which with the broker down blocks a
 * request for the admin timeout (30 s) instead of failing within the produce timeout.
 */
@Component
class KafkaJobPublisher implements JobPublisher {

    static final String OBSERVATION = "kiwo.api.publish";

    private static final Logger log = LoggerFactory.getLogger(KafkaJobPublisher.class);

    private final KafkaTemplate<String, Job> template;
    private final Duration timeout;
    private final Duration retryAfter;
    private final ObservationRegistry observations;

    KafkaJobPublisher(KafkaTemplate<String, Job> template, ApiProperties properties,
                      ObservationRegistry observations) {
        this.template = template;
        this.observations = observations;
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
        SenderContext<Headers> context = new SenderContext<>((headers, name, value) ->
                headers.remove(name).add(name, value.getBytes(StandardCharsets.UTF_8)));
        context.setCarrier(record.headers());
        context.setRemoteServiceName("kafka");
        Observation.createNotStarted(OBSERVATION, () -> context, observations)
                .contextualName(Topics.JOBS_IN.name() + " send")
                .lowCardinalityKeyValue("topic", Topics.JOBS_IN.name())
                .observe(() -> send(record, job, correlationId, deadline));
    }

    private void send(ProducerRecord<String, Job> record, Job job, String correlationId, long deadline) {
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
