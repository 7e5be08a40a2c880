package dev.kiwo.worker;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.KiwoHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;

/** Consumes classified jobs, processes each and publishes exactly one result before the offset is committed. */
final class JobListener {

    /** The id of the listener container, e.g. to look it up in the {@code KafkaListenerEndpointRegistry}. */
    static final String ID = "kiwo-worker";

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
    void onJob(ConsumerRecord<String, ClassifiedJob> record) {
        ClassifiedJob job = record.value();
        if (job == null) {
            throw new UnprocessableRecordException("Record at " + record.topic() + "-" + record.partition() + "@"
                    + record.offset() + " has no value");
        }
        Header header = record.headers().lastHeader(KiwoHeaders.CORRELATION_ID);
        byte[] correlationId = header == null ? null : header.value();
        JobResult result = processor.process(job);
        publisher.publish(result, correlationId);
        metrics.succeeded(result);
        log.info("Processed job {} class={} pool={} processingMs={} correlationId={}", result.jobId(),
                result.jobClass(), result.pool(), result.processingMs(),
                correlationId == null ? "-" : new String(correlationId, StandardCharsets.UTF_8));
    }
}
