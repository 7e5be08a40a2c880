package dev.kiwo.worker.results;

import dev.kiwo.kafka.AtMostOncePer;
import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.Topics;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells {@code jobs.status} that an attempt started ({@code RUNNING}), at most once: without a transaction and
 * without waiting, so that a slow or absent broker neither delays nor fails a job. A lost event only leaves
 * the status view a step behind until the job's result, which stays exactly once.
 */
public final class StatusEvents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusEvents.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);

    private final Producer<String, JobStatusEvent> producer;
    private final String pool;
    private final AtMostOncePer warning = new AtMostOncePer(Duration.ofMinutes(1));

    /** @param producer a producer without a transactional id that never blocks a send for long */
    public StatusEvents(Producer<String, JobStatusEvent> producer, String pool) {
        this.producer = producer;
        this.pool = pool;
    }

    public void running(ClassifiedJob job, int attempt, Instant startedAt) {
        String jobId = job.job().jobId();
        JobStatusEvent event = new JobStatusEvent(jobId, JobStatus.RUNNING, startedAt, job.jobClass(), pool, attempt,
                null);
        try {
            producer.send(new ProducerRecord<>(Topics.JOBS_STATUS.name(), jobId, event), (metadata, failure) -> {
                if (failure != null) {
                    lost(jobId, failure);
                }
            });
        } catch (RuntimeException e) {
            lost(jobId, e);
        }
    }

    /** One warning a minute at most: while the broker is away, every job would add one. */
    private void lost(String jobId, Exception failure) {
        if (warning.due()) {
            log.warn("Could not publish the RUNNING event of job {} (further failures within a minute at DEBUG): {}",
                    jobId, failure.toString());
        } else {
            log.debug("Could not publish the RUNNING event of job {}: {}", jobId, failure.toString());
        }
    }

    @Override
    public void close() {
        producer.close(CLOSE_TIMEOUT);
    }
}
