package dev.kiwo.worker;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.worker.config.WorkerProperties;
import dev.kiwo.worker.metrics.WorkerMetrics;
import dev.kiwo.worker.processing.JobProcessor;
import dev.kiwo.worker.results.ResultPublisher;
import dev.kiwo.worker.retry.Attempts;
import dev.kiwo.worker.retry.UnprocessableRecordException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * Consumes classified jobs from the pool's topics and their retry topics, processes each and publishes its
 * result, succeeded or stopped (cancelled, deadline exceeded), in one transaction with the record's offset. A
 * failure is thrown to Spring's retry-topic error handling, which forwards the record to the next retry topic
 * or, after the last attempt, to the DLQ.
 */
final class JobListener {

    /** The id of the listener container, e.g. to look it up in the {@code KafkaListenerEndpointRegistry}. */
    static final String ID = "kiwo-worker";

    /** Logging context key of the job's correlation id, printed by logging.pattern.correlation. */
    static final String CORRELATION_ID_MDC_KEY = "correlationId";

    private static final Logger log = LoggerFactory.getLogger(JobListener.class);

    private final JobProcessor processor;
    private final ResultPublisher publisher;
    private final WorkerMetrics metrics;
    private final String[] topics;

    JobListener(JobProcessor processor, ResultPublisher publisher, WorkerMetrics metrics, WorkerProperties properties) {
        this.processor = processor;
        this.publisher = publisher;
        this.metrics = metrics;
        this.topics = properties.topics().toArray(String[]::new);
    }

    /** Read by the listener annotation's expression. */
    public String[] getTopics() {
        return topics.clone();
    }

    // The group comes from spring.kafka.consumer.group-id, one per pool, not from the listener id.
    @KafkaListener(id = ID, idIsGroup = false, topics = "#{__listener.topics}")
    void onJob(ConsumerRecord<String, ClassifiedJob> record, Consumer<?, ?> consumer) {
        publisher.forgetCommitted();
        ClassifiedJob job = record.value();
        String at = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (job == null) {
            throw new UnprocessableRecordException("Record at " + at + " has no value");
        }
        // The key is the jobId everywhere; a record keyed otherwise was not written by the classifier.
        if (!job.job().jobId().equals(record.key())) {
            throw new UnprocessableRecordException("Record at " + at + " has key " + record.key()
                    + ", expected its jobId " + job.job().jobId());
        }
        Header header = record.headers().lastHeader(KiwoHeaders.CORRELATION_ID);
        byte[] correlationId = header == null ? null : header.value();
        String correlation = correlationId == null ? "-" : new String(correlationId, StandardCharsets.UTF_8);
        try (MDC.MDCCloseable ignored = MDC.putCloseable(CORRELATION_ID_MDC_KEY, correlation)) {
            int attempt = Attempts.of(record);
            JobResult result = processor.process(job, attempt);
            publisher.publish(result, correlationId, record, consumer);
            if (result.errorCode() == null) {
                metrics.succeeded(result);
                log.info("Processed job {} class={} pool={} attempt={} processingMs={} correlationId={}",
                        result.jobId(), result.jobClass(), result.pool(), attempt, result.processingMs(), correlation);
            } else {
                metrics.ended(result.errorCode());
                log.info("Stopped job {} class={} pool={} attempt={} status={} processingMs={} correlationId={}: {}",
                        result.jobId(), result.jobClass(), result.pool(), attempt, result.status(),
                        result.processingMs(), correlation, result.error());
            }
        }
    }
}
