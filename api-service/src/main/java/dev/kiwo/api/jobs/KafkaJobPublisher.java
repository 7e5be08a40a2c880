package dev.kiwo.api.jobs;

import dev.kiwo.api.ApiProperties;
import dev.kiwo.api.web.CorrelationId;
import dev.kiwo.model.Job;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.SenderContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.kafka.core.KafkaProducerException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Produces jobs to {@code jobs.in} keyed by jobId. The returned future completes from the producer's callback
 * once the broker acknowledged the write, or fails within {@code kiwo.api.produce-timeout} in total: {@code send}
 * blocks the caller only while the producer has no metadata for {@code jobs.in} (the broker unreachable), for at
 * most {@code max.block.ms}, which is the produce timeout; whatever of the bound is left is the most the ack is
 * waited for. No thread waits for the ack.
 *
 * <p>Each publish is a {@code kiwo.api.publish} observation: a timer (the produce latency the client sees, ack
 * included) and a span, child of the request's, whose context goes into the record as {@code traceparent} so the
 * job's trace continues in the classifier and the worker. Spring Kafka's template observation would do the
 * same, but it looks up the cluster id before each send until it has one, which with the broker down blocks a
 * request for the admin timeout (30 s) instead of failing within the produce timeout.
 *
 * <p>A batch is one {@code kiwo.api.publish.batch} observation, timed until Kafka acknowledged all its jobs, and
 * every job of the batch carries its span's context: an observation, a span and a timeout per job cost more than
 * reading and producing the job, and all of it ran on the producer's one network thread.
 *
 * <p>At most {@code kiwo.api.max-in-flight-jobs} jobs are sent and not yet answered by the producer's callback
 * (a JDK {@link Semaphore}, one permit per job): a job, or a batch as a whole, that would pass it fails at once
 * with 503 instead of queueing in the producer's buffer, where a slow broker would let it grow without bound.
 * A permit is given back when the producer answers, not at the produce timeout, so the bound holds for records
 * still in the buffer after their request gave up.
 */
@Component
class KafkaJobPublisher implements JobPublisher {

    static final String OBSERVATION = "kiwo.api.publish";

    static final String BATCH_OBSERVATION = "kiwo.api.publish.batch";

    private static final Logger log = LoggerFactory.getLogger(KafkaJobPublisher.class);

    private final KafkaTemplate<String, Job> template;
    private final Duration timeout;
    private final Duration retryAfter;
    private final ObservationRegistry observations;
    private final int maxInFlight;
    private final Semaphore inFlight;

    KafkaJobPublisher(KafkaTemplate<String, Job> template, ApiProperties properties,
                      ObservationRegistry observations, MeterRegistry meters) {
        this.template = template;
        this.observations = observations;
        this.timeout = properties.produceTimeout();
        this.retryAfter = properties.retryAfter();
        this.maxInFlight = properties.maxInFlightJobs();
        this.inFlight = new Semaphore(maxInFlight);
        Gauge.builder("kiwo.api.publish.in.flight", inFlight, permits -> maxInFlight - permits.availablePermits())
                .description("Jobs sent to Kafka and not yet acknowledged (at most kiwo.api.max-in-flight-jobs)")
                .register(meters);
    }

    /** Creates the producer before traffic arrives, so no request spends its time bound on client start-up. */
    @EventListener(ApplicationStartedEvent.class)
    void createProducer() {
        template.execute(producer -> null);
    }

    @Override
    public CompletableFuture<Void> publish(Job job, String correlationId) {
        if (!inFlight.tryAcquire()) {
            return CompletableFuture.failedFuture(tooManyInFlight());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        ProducerRecord<String, Job> record = new ProducerRecord<>(Topics.JOBS_IN.name(), null, job.jobId(), job,
                List.of(correlationHeader(correlationId)));
        Observation observation = startObservation(OBSERVATION, " send", record.headers());
        CompletableFuture<Void> stored = new CompletableFuture<>();
        CompletableFuture<?> sent = send(record);
        sent.whenComplete((result, failure) -> inFlight.release());
        // A copy times out, so the send itself completes only from the producer's callback, releasing the permit.
        sent.copy()
                .orTimeout(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                .whenComplete((result, failure) -> complete(stored, observation, correlationId, failure,
                        notPublished -> {
                            log.warn("Job {} not accepted, correlationId={}: {} ({})", job.jobId(), correlationId,
                                    notPublished.reason(), describe(failure));
                            return notPublished;
                        }));
        return stored;
    }

    /**
     * Sends the jobs with the producer's own callbacks, which only count; the batch completes once every job sent
     * was answered, or at the produce timeout.
     */
    @Override
    public CompletableFuture<Void> publishAll(List<Job> jobs, String correlationId) {
        if (jobs.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (!inFlight.tryAcquire(jobs.size())) {
            return CompletableFuture.failedFuture(
                    new BatchNotPublishedException(tooManyInFlight(), jobs.size(), 0, 0));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Headers trace = new RecordHeaders();
        Observation observation = startObservation(BATCH_OBSERVATION, " send batch", trace);
        List<Header> headers = new ArrayList<>();
        headers.add(correlationHeader(correlationId));
        trace.forEach(headers::add);
        BatchSends sends = new BatchSends();
        AtomicInteger handedOver = new AtomicInteger();
        try {
            template.execute(producer -> {
                for (Job job : jobs) {
                    ProducerRecord<String, Job> record = new ProducerRecord<>(Topics.JOBS_IN.name(), null, job.jobId(),
                            job, headers);
                    sends.sent();
                    try {
                        producer.send(record, (metadata, exception) -> {
                            inFlight.release();
                            sends.answered(exception == null ? null
                                    : new KafkaProducerException(record, "Failed to send", exception));
                        });
                    } catch (KafkaException e) {
                        inFlight.release();
                        sends.answered(e);
                    }
                    handedOver.incrementAndGet();
                    if (sends.failed()) {
                        break;
                    }
                }
                return null;
            });
        } catch (KafkaException | org.springframework.kafka.KafkaException e) {
            sends.sent();
            sends.answered(e);
        } finally {
            // The permits of jobs never handed to the producer: no callback will give them back.
            inFlight.release(jobs.size() - handedOver.get());
        }
        CompletableFuture<Void> stored = new CompletableFuture<>();
        sends.sendingDone()
                .orTimeout(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                .whenComplete((done, timedOut) -> {
                    Exception failure = timedOut instanceof Exception e ? e : sends.firstFailure();
                    complete(stored, observation, correlationId, failure, notPublished -> {
                        int sent = sends.sentCount();
                        int acknowledged = sends.acknowledged();
                        log.warn("Batch correlationId={} not accepted: {} ({}); of its {} jobs {} were sent and {}"
                                        + " acknowledged", correlationId, notPublished.reason(), describe(failure),
                                jobs.size(), sent, acknowledged);
                        return new BatchNotPublishedException(notPublished, jobs.size(), sent, acknowledged);
                    });
                });
        return stored;
    }

    /**
     * Ends a publish: stops its observation (with the error, if any) and completes the answer, or fails it with
     * what {@code refusal} makes of the error (which also logs it). What runs on completion runs in the job's trace
     * and with its correlation id in the logging context, like it would on the request's thread.
     */
    private void complete(CompletableFuture<Void> stored, Observation observation, String correlationId,
                          Throwable failure, Function<JobNotPublishedException, RuntimeException> refusal) {
        JobNotPublishedException notPublished = failure == null ? null : notPublished(failure);
        if (notPublished != null) {
            observation.error(notPublished);
        }
        observation.stop();
        try (Observation.Scope scope = observation.openScope();
             MDC.MDCCloseable logged = MDC.putCloseable(CorrelationId.MDC_KEY, correlationId)) {
            if (notPublished == null) {
                stored.complete(null);
            } else {
                stored.completeExceptionally(refusal.apply(notPublished));
            }
        }
    }

    private Observation startObservation(String name, String action, Headers carrier) {
        SenderContext<Headers> context = new SenderContext<>((headers, key, value) ->
                headers.remove(key).add(key, value.getBytes(StandardCharsets.UTF_8)));
        context.setCarrier(carrier);
        context.setRemoteServiceName("kafka");
        return Observation.createNotStarted(name, () -> context, observations)
                .contextualName(Topics.JOBS_IN.name() + action)
                .lowCardinalityKeyValue("topic", Topics.JOBS_IN.name())
                .start();
    }

    private JobNotPublishedException tooManyInFlight() {
        return new JobNotPublishedException("more than " + maxInFlight + " jobs awaiting Kafka's acknowledgement"
                + " on this replica", retryAfter, null);
    }

    private static Header correlationHeader(String correlationId) {
        return new RecordHeader(KiwoHeaders.CORRELATION_ID, correlationId.getBytes(StandardCharsets.UTF_8));
    }

    private CompletableFuture<?> send(ProducerRecord<String, Job> record) {
        try {
            return template.send(record);
        } catch (KafkaException | org.springframework.kafka.KafkaException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private JobNotPublishedException notPublished(Throwable failure) {
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(failure);
        String reason;
        if (failure instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            reason = "no acknowledgement from Kafka within " + timeout;
        } else if (failure instanceof KafkaProducerException) {
            reason = "Kafka rejected the write";
        } else {
            reason = "Kafka is unavailable";
        }
        return new JobNotPublishedException(reason, retryAfter, failure);
    }

    /**
     * The jobs of one batch in flight: how many were sent and answered, and the first failure. Sends happen on the
     * request's thread, answers on the producer's; {@link #sendingDone()} completes once the last send is answered.
     */
    private static final class BatchSends {

        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private int sent;
        private int answered;
        private int acknowledged;
        private boolean sending = true;
        private Exception firstFailure;

        synchronized void sent() {
            sent++;
        }

        void answered(Exception failure) {
            synchronized (this) {
                answered++;
                if (failure == null) {
                    acknowledged++;
                } else if (firstFailure == null) {
                    firstFailure = failure;
                }
                if (sending || answered < sent) {
                    return;
                }
            }
            done.complete(null);
        }

        synchronized boolean failed() {
            return firstFailure != null;
        }

        CompletableFuture<Void> sendingDone() {
            synchronized (this) {
                sending = false;
                if (answered < sent) {
                    return done;
                }
            }
            done.complete(null);
            return done;
        }

        synchronized int sentCount() {
            return sent;
        }

        synchronized int acknowledged() {
            return acknowledged;
        }

        synchronized Exception firstFailure() {
            return firstFailure;
        }
    }

    /** The failure and what caused it: Spring's "Failed to send" alone does not say why. */
    private static String describe(Throwable failure) {
        Throwable root = NestedExceptionUtils.getRootCause(failure);
        return root == null ? failure.toString() : failure + ", caused by " + root;
    }
}
