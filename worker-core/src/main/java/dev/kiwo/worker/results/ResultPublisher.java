package dev.kiwo.worker.results;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topics;
import dev.kiwo.worker.config.WorkerProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaOperations;

/**
 * Publishes a job's terminal result in one Kafka transaction with the offset of the record it came from, so
 * that the result becomes visible to {@code read_committed} consumers if and only if the job is marked done
 * for the pool's consumer group. Offsets are committed with the consumer's group metadata: a worker that has
 * lost the partition meanwhile is fenced and its transaction aborts.
 */
public final class ResultPublisher {

    private final KafkaOperations<Object, Object> template;
    private final Duration timeout;
    private final String pool;
    private final String instance;
    private final ObjectProvider<BeforeResultCommit> beforeCommit;
    private final Clock clock = Clock.systemUTC();
    private final ThreadLocal<RecordPosition> committed = new ThreadLocal<>();

    public ResultPublisher(KafkaOperations<Object, Object> template, WorkerProperties properties,
                    ObjectProvider<BeforeResultCommit> beforeCommit) {
        this.template = template;
        this.timeout = properties.resultTimeout();
        this.pool = properties.pool();
        this.instance = properties.instance();
        this.beforeCommit = beforeCommit;
    }

    /**
     * Sends the result of {@code record} and commits the record's offset, atomically. Once this returns, the
     * record is {@link #isCommitted committed} on this thread.
     */
    public void publish(JobResult result, byte[] correlationId, ConsumerRecord<?, ?> record, Consumer<?, ?> consumer) {
        committed.remove();
        template.executeInTransaction(operations -> {
            send(operations, result, correlationId);
            beforeCommit.ifAvailable(hook -> hook.resultSent(result));
            operations.sendOffsetsToTransaction(Map.of(new TopicPartition(record.topic(), record.partition()),
                    new OffsetAndMetadata(record.offset() + 1)), consumer.groupMetadata());
            return null;
        });
        committed.set(RecordPosition.of(record));
    }

    /**
     * Whether this thread committed the result of {@code record}, and with it the record's offset, since it last
     * {@linkplain #forgetCommitted() took a record}. The container runs the listener, its own offset commit and
     * the error handling on the consumer's thread, so a failure reported for such a record happened after its
     * result was committed: the container's own commit of the same offset, aborted by a pending consumer wakeup
     * or a rebalance. It is no failure of the job, and retrying it would add a second result.
     */
    public boolean isCommitted(ConsumerRecord<?, ?> record) {
        return RecordPosition.of(record).equals(committed.get());
    }

    /** Called when the listener takes a record: what this thread committed before is about another record. */
    public void forgetCommitted() {
        committed.remove();
    }

    /** Sends a result within the caller's transaction and waits for the broker to acknowledge it. */
    public void send(KafkaOperations<Object, Object> operations, JobResult result, byte[] correlationId) {
        ProducerRecord<Object, Object> out = new ProducerRecord<>(Topics.JOBS_RESULTS.name(), result.jobId(), result);
        if (correlationId != null) {
            out.headers().add(KiwoHeaders.CORRELATION_ID, correlationId);
        }
        try {
            operations.send(out).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while publishing the result of job " + result.jobId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("Could not publish the result of job " + result.jobId(), e);
        }
    }

    /** The terminal result of a job that used up its {@code attempts}. */
    public JobResult failed(ClassifiedJob classified, String error, int attempts) {
        Job job = classified.job();
        Instant now = clock.instant();
        return new JobResult(job.jobId(), classified.jobClass(), JobStatus.FAILED, pool, instance,
                job.submittedAt(), classified.classifiedAt(), now, now, 0, error, JobErrorCode.PROCESSING_FAILED,
                attempts, job.tenant());
    }

    /** Where a record is, which identifies it within the consumer group. */
    private record RecordPosition(String topic, int partition, long offset) {

        static RecordPosition of(ConsumerRecord<?, ?> record) {
            return new RecordPosition(record.topic(), record.partition(), record.offset());
        }
    }

    /**
     * Called inside the result's transaction, after the result is sent and before the transaction commits:
     * the worst moment for a crash. Absent in the applications; tests use it to abort a transaction there.
     */
    @FunctionalInterface
    public interface BeforeResultCommit {

        void resultSent(JobResult result);
    }
}
