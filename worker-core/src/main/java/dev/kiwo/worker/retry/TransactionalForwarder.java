package dev.kiwo.worker.retry;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.DeadLetterHeaders;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topics;
import dev.kiwo.worker.metrics.WorkerMetrics;
import dev.kiwo.worker.results.ResultPublisher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.SeekUtils;
import org.springframework.kafka.listener.TimestampedException;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * Spring's retry-topic recoverer, made atomic with the consumer's progress: forwarding a failed record to
 * its next retry topic together with the job's {@code RETRYING} status event, or to {@code jobs.dlq} together
 * with the job's {@code FAILED} result, and committing the record's offset happen in one Kafka transaction. A crash in between therefore neither loses the job
 * nor forwards it twice; a worker that lost its partition (a zombie) cannot commit the offset, so its
 * transaction aborts.
 */
final class TransactionalForwarder extends DeadLetterPublishingRecoverer {

    private static final Logger log = LoggerFactory.getLogger(TransactionalForwarder.class);
    private static final int MAX_MESSAGE_LENGTH = 1_000;

    private final KafkaOperations<Object, Object> template;
    private final ResultPublisher results;
    private final WorkerMetrics metrics;
    private final String pool;
    private final Clock clock;
    private final ThreadLocal<String> forwardedTo = new ThreadLocal<>();

    TransactionalForwarder(Function<ProducerRecord<?, ?>, ? extends KafkaOperations<?, ?>> templateResolver,
                           BiFunction<ConsumerRecord<?, ?>, Exception, TopicPartition> destinationResolver,
                           KafkaOperations<Object, Object> template, ResultPublisher results, WorkerMetrics metrics,
                           String pool, Clock clock) {
        super(templateResolver, true, destinationResolver);
        this.template = template;
        this.results = results;
        this.metrics = metrics;
        this.pool = pool;
        this.clock = clock;
    }

    @Override
    public void accept(ConsumerRecord<?, ?> record, Consumer<?, ?> consumer, Exception exception) {
        if (SeekUtils.isBackoffException(exception)) {
            // Not a failure: a retry record that is not due yet; Spring pauses the partition and seeks back.
            super.accept(record, consumer, exception);
            return;
        }
        if (results.isCommitted(record)) {
            // The job's result and the record's offset are committed: what failed came after the listener
            // (Spring's own commit of the same offset). Forwarding would run the job again, for a second result.
            log.info("Job {} attempt {} has its result committed; not retrying it after a later failure: {}",
                    record.key(), Attempts.of(record), cause(exception).toString());
            return;
        }
        try {
            template.executeInTransaction(operations -> {
                super.accept(record, consumer, exception);
                operations.sendOffsetsToTransaction(Map.of(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1)), consumer.groupMetadata());
                return null;
            });
            report(record, exception, forwardedTo.get());
        } finally {
            forwardedTo.remove();
        }
    }

    /** Runs inside the transaction for the one record Spring forwards. */
    @Override
    protected void publish(ProducerRecord<Object, Object> outRecord, KafkaOperations<Object, Object> operations,
                           ConsumerRecord<?, ?> record) {
        super.publish(outRecord, operations, record);
        forwardedTo.set(outRecord.topic());
        String errorClass = text(outRecord.headers(), DeadLetterHeaders.ERROR_CLASS);
        // A record that is no job of ours (no value, or a key that is not its jobId) only goes to the DLQ, so it
        // can neither add a second result nor a status to a real job.
        if (!(record.value() instanceof ClassifiedJob job)
                || UnprocessableRecordException.class.getName().equals(errorClass)) {
            return;
        }
        String error = errorClass + ": " + text(outRecord.headers(), DeadLetterHeaders.ERROR_MESSAGE);
        int attempt = Attempts.of(record);
        if (Topics.JOBS_DLQ.name().equals(outRecord.topic())) {
            // Out of attempts: the job ends FAILED.
            Header correlationId = record.headers().lastHeader(KiwoHeaders.CORRELATION_ID);
            results.send(operations, results.failed(job, error, attempt),
                    correlationId == null ? null : correlationId.value());
        } else {
            // Committed with the forward: the status view shows RETRYING if and only if a retry is scheduled.
            String jobId = job.job().jobId();
            operations.send(new ProducerRecord<>(Topics.JOBS_STATUS.name(), jobId, new JobStatusEvent(jobId,
                    JobStatus.RETRYING, clock.instant(), job.jobClass(), pool, attempt, error)));
        }
    }

    private void report(ConsumerRecord<?, ?> record, Exception exception, String destination) {
        Throwable cause = cause(exception);
        int attempt = Attempts.of(record);
        if (destination == null) {
            log.warn("Record {}-{}@{} failed ({}) and has no further destination", record.topic(), record.partition(),
                    record.offset(), cause.toString());
        } else if (!Topics.JOBS_DLQ.name().equals(destination)) {
            metrics.retried();
            log.info("Job {} attempt {} failed, retrying via {}: {}", record.key(), attempt, destination, cause.toString());
        } else if (record.value() instanceof ClassifiedJob && !(cause instanceof UnprocessableRecordException)) {
            metrics.ended(JobErrorCode.PROCESSING_FAILED);
            metrics.deadLettered();
            log.info("Job {} failed after {} attempt(s), result FAILED, dead-lettered: {}", record.key(), attempt,
                    cause.toString());
        } else {
            metrics.deadLettered();
            log.info("Record {}-{}@{} key={} is unprocessable, dead-lettered: {}", record.topic(), record.partition(),
                    record.offset(), record.key(), cause.toString());
        }
    }

    /**
     * The headers that say what failed, for every record a pool forwards; they replace those of earlier
     * attempts.
     */
    static BiFunction<ConsumerRecord<?, ?>, Exception, Headers> failureHeaders(String pool, Clock clock) {
        return (record, exception) -> failureHeaders(record, exception, pool, clock);
    }

    private static Headers failureHeaders(ConsumerRecord<?, ?> record, Exception exception, String pool, Clock clock) {
        Throwable cause = cause(exception);
        Headers headers = new RecordHeaders();
        add(headers, DeadLetterHeaders.ERROR_CLASS, cause.getClass().getName());
        add(headers, DeadLetterHeaders.ERROR_MESSAGE, message(cause));
        add(headers, DeadLetterHeaders.ATTEMPTS, Integer.toString(Attempts.of(record)));
        Header topic = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_TOPIC);
        Header partition = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_PARTITION);
        Header offset = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET);
        boolean forwarded = topic != null && partition != null && offset != null;
        add(headers, DeadLetterHeaders.SOURCE_TOPIC,
                forwarded ? new String(topic.value(), StandardCharsets.UTF_8) : record.topic());
        add(headers, DeadLetterHeaders.SOURCE_PARTITION,
                Integer.toString(forwarded ? ByteBuffer.wrap(partition.value()).getInt() : record.partition()));
        add(headers, DeadLetterHeaders.SOURCE_OFFSET,
                Long.toString(forwarded ? ByteBuffer.wrap(offset.value()).getLong() : record.offset()));
        add(headers, DeadLetterHeaders.POOL, pool);
        add(headers, DeadLetterHeaders.FAILED_AT, clock.instant().toString());
        return headers;
    }

    private static void add(Headers headers, String name, String value) {
        headers.add(new SingleRecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The failure itself rather than Spring's wrappers around it. */
    static Throwable cause(Throwable exception) {
        Throwable cause = exception;
        while ((cause instanceof ListenerExecutionFailedException || cause instanceof TimestampedException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String message(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        // A deserialization failure's own message is generic; the field at fault is in its cause.
        if (cause.getCause() != null && cause.getCause().getMessage() != null) {
            message = message + ": " + cause.getCause().getMessage();
        }
        return message.length() <= MAX_MESSAGE_LENGTH ? message : message.substring(0, MAX_MESSAGE_LENGTH);
    }
}
