package dev.kiwo.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobCancellation;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.Simulation;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.KafkaTestBroker;
import dev.kiwo.testsupport.TopicReader;
import dev.kiwo.worker.processing.CancellationWatch;
import dev.kiwo.worker.processing.SimulatedFailureException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A job's life as the status view sees it: RUNNING and RETRYING on {@code jobs.status}, and the cancellations and
 * deadlines that end a job early with one CANCELLED or FAILED (DEADLINE_EXCEEDED) result.
 */
class JobLifecycleIntegrationTest extends BrokerBackedTest {

    /** CPU a long job costs at the tests' cost scale of 0.01 (50,000 MB at 20 ms per MB). */
    private static final Duration LONG_JOB_COST = Duration.ofSeconds(10);

    @Autowired
    private CancellationWatch cancellations;

    @Test
    void announcesTheStartOfEachAttempt() {
        ClassifiedJob job = classified(lightJob(), JobClass.LIGHT);
        String jobId = job.job().jobId();
        send(null, jobId, json(job), "corr-" + jobId);

        JobResult result = awaitResult(jobId);
        List<JobStatusEvent> events = awaitStatus(jobId, seen -> !seen.isEmpty());

        assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(events).containsExactly(new JobStatusEvent(jobId, JobStatus.RUNNING, result.startedAt(),
                JobClass.LIGHT, "light", 1, null));
    }

    @Test
    void announcesARetryWithItsReasonAndSucceedsOnTheNextAttempt() {
        ClassifiedJob job = classified(lightJob(new Simulation(1, null)), JobClass.LIGHT);
        String jobId = job.job().jobId();
        send(null, jobId, json(job), "corr-" + jobId);

        JobResult result = awaitResult(jobId);
        List<JobStatusEvent> events = awaitStatus(jobId, seen -> seen.size() >= 3);

        assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(events).extracting(JobStatusEvent::status, JobStatusEvent::attempt).containsExactlyInAnyOrder(
                tuple(JobStatus.RUNNING, 1),
                tuple(JobStatus.RETRYING, 1),
                tuple(JobStatus.RUNNING, 2));
        JobStatusEvent retrying = events.stream().filter(event -> event.status() == JobStatus.RETRYING).findFirst()
                .orElseThrow();
        assertThat(retrying.message()).startsWith(SimulatedFailureException.class.getName()).contains("attempt 1");
        assertThat(retrying.pool()).isEqualTo("light");
        assertThat(retrying.jobClass()).isEqualTo(JobClass.LIGHT);
    }

    @Test
    void neverStartsAJobCancelledBeforeItArrives() {
        ClassifiedJob job = classified(lightJob(), JobClass.LIGHT);
        String jobId = job.job().jobId();
        double cancelledBefore = outcome("cancelled");
        cancel(jobId);
        // The worker has read the request: from here on the job must not even start.
        await().atMost(WAIT).until(() -> cancellations.requestedAt(jobId) != null);
        send(null, jobId, json(job), "corr-" + jobId);

        JobResult result = awaitResult(jobId);

        assertThat(result.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.CANCELLED);
        assertThat(result.attempts()).isZero();
        assertThat(readToEnd(Topics.JOBS_RESULTS.name(), "read_committed").get(jobId)).hasSize(1);
        assertThat(readToEnd(Topics.JOBS_STATUS.name(), "read_uncommitted")).doesNotContainKey(jobId);
        assertThat(readToEnd(Topics.JOBS_DLQ.name(), "read_uncommitted")).doesNotContainKey(jobId);
        assertThat(outcome("cancelled")).isGreaterThan(cancelledBefore);
    }

    @Test
    void cancelsAJobWhoseCancellationWasAcknowledgedBeforeTheJobWasSent() {
        ClassifiedJob job = classified(lightJob(), JobClass.LIGHT);
        String jobId = job.job().jobId();
        // No wait for the worker to read it: the request must win even if the job gets there first.
        cancel(jobId);
        send(null, jobId, json(job), "corr-" + jobId);

        JobResult result = awaitResult(jobId);

        assertThat(result.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.CANCELLED);
        assertThat(readToEnd(Topics.JOBS_RESULTS.name(), "read_committed").get(jobId)).hasSize(1);
    }

    @Test
    void stopsARunningJobSoonAfterItIsCancelled() {
        ClassifiedJob job = classified(longJob(Instant.now(), null), JobClass.LIGHT);
        String jobId = job.job().jobId();
        send(null, jobId, json(job), "corr-" + jobId);
        awaitStatus(jobId, seen -> !seen.isEmpty());

        cancel(jobId);
        JobResult result = awaitResult(jobId);

        assertThat(result.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.CANCELLED);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.error()).contains("during attempt 1");
        assertThat(Duration.ofMillis(result.processingMs())).isLessThan(LONG_JOB_COST.dividedBy(2));
        assertThat(readToEnd(Topics.JOBS_RESULTS.name(), "read_committed").get(jobId)).hasSize(1);
    }

    @Test
    void failsAJobWhoseDeadlinePassedBeforeItStarted() {
        Instant submittedAt = Instant.now().minusSeconds(10).truncatedTo(ChronoUnit.MILLIS);
        ClassifiedJob job = classified(new Job(UUID.randomUUID().toString(), "late.pdf", 1, 3, 0, submittedAt,
                null, 5), JobClass.LIGHT);
        String jobId = job.job().jobId();
        double expiredBefore = outcome("deadline_exceeded");
        send(null, jobId, json(job), "corr-" + jobId);

        JobResult result = awaitResult(jobId);

        assertThat(result.status()).isEqualTo(JobStatus.FAILED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.DEADLINE_EXCEEDED);
        assertThat(result.attempts()).isZero();
        assertThat(result.error()).contains("before attempt 1 started");
        assertThat(readToEnd(Topics.JOBS_STATUS.name(), "read_uncommitted")).doesNotContainKey(jobId);
        assertThat(readToEnd(Topics.JOBS_DLQ.name(), "read_uncommitted")).doesNotContainKey(jobId);
        assertThat(outcome("deadline_exceeded")).isGreaterThan(expiredBefore);
    }

    @Test
    void stopsARunningJobAtItsDeadline() {
        ClassifiedJob job = classified(longJob(Instant.now().truncatedTo(ChronoUnit.MILLIS), 3), JobClass.LIGHT);
        String jobId = job.job().jobId();
        send(null, jobId, json(job), "corr-" + jobId);

        JobResult result = awaitResult(jobId);

        assertThat(result.status()).isEqualTo(JobStatus.FAILED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.DEADLINE_EXCEEDED);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.error()).contains("during attempt 1");
        assertThat(result.finishedAt()).isAfterOrEqualTo(job.job().deadline());
        assertThat(Duration.ofMillis(result.processingMs())).isLessThan(LONG_JOB_COST);
        assertThat(readToEnd(Topics.JOBS_RESULTS.name(), "read_committed").get(jobId)).hasSize(1);
        assertThat(readToEnd(Topics.JOBS_DLQ.name(), "read_uncommitted")).doesNotContainKey(jobId);
    }

    /** Requests the job's cancellation as the API does, and waits for the broker to acknowledge it. */
    private void cancel(String jobId) {
        byte[] request = Topics.JOBS_CANCELLATIONS.valueSerde().serializer()
                .serialize(Topics.JOBS_CANCELLATIONS.name(), new JobCancellation(jobId, Instant.now()));
        try {
            producer.send(new ProducerRecord<>(Topics.JOBS_CANCELLATIONS.name(), jobId, request))
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Could not cancel " + jobId, e);
        }
    }

    private static JobResult awaitResult(String jobId) {
        return single(awaitRecords(Topics.JOBS_RESULTS.name(), Topics.JOBS_RESULTS.valueSerde().deserializer(),
                List.of(jobId)), jobId).value();
    }

    /** The job's status events, committed ones only, once {@code complete} holds for them. */
    private static List<JobStatusEvent> awaitStatus(String jobId, Predicate<List<JobStatusEvent>> complete) {
        List<JobStatusEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, JobStatusEvent> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                Topics.JOBS_STATUS.keySerde().deserializer(), Topics.JOBS_STATUS.valueSerde().deserializer())) {
            TopicReader.fromBeginning(consumer, Topics.JOBS_STATUS.name());
            await().atMost(WAIT).pollInSameThread().untilAsserted(() -> {
                for (ConsumerRecord<String, JobStatusEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    if (jobId.equals(record.key())) {
                        events.add(record.value());
                    }
                }
                assertThat(complete.test(events)).as("status events of %s so far: %s", jobId, events).isTrue();
            });
        }
        return events;
    }

    private double outcome(String outcome) {
        return meters.get("kiwo.worker.jobs").tags("pool", "light", "outcome", outcome).counter().count();
    }

    /** A job of {@link #LONG_JOB_COST}: long enough to be stopped while it runs. */
    private static Job longJob(Instant submittedAt, Integer deadlineSeconds) {
        return new Job(UUID.randomUUID().toString(), "huge.pdf", 50_000, 0, 0, submittedAt, null, deadlineSeconds);
    }
}
