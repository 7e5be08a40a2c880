package dev.kiwo.worker;

import dev.kiwo.model.JobResult;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topics;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes a result and waits for the broker to acknowledge it, so that the listener returns, and the offset
 * of the job is committed, only once the result is durable.
 */
final class ResultPublisher {

    private final KafkaTemplate<Object, Object> template;
    private final Duration timeout;

    ResultPublisher(KafkaTemplate<Object, Object> template, WorkerProperties properties) {
        this.template = template;
        this.timeout = properties.resultTimeout();
    }

    void publish(JobResult result, byte[] correlationId) {
        ProducerRecord<Object, Object> record = new ProducerRecord<>(Topics.JOBS_RESULTS.name(), result.jobId(), result);
        if (correlationId != null) {
            record.headers().add(KiwoHeaders.CORRELATION_ID, correlationId);
        }
        try {
            template.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while publishing the result of job " + result.jobId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("Could not publish the result of job " + result.jobId(), e);
        }
    }
}
