package dev.kiwo.worker.processing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobCancellation;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.Topics;
import dev.kiwo.worker.config.WorkerProperties;
import dev.kiwo.worker.results.StatusEvents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.Test;

/**
 * When a job runs and which result it gets, against a cancellation watch fed directly; RUNNING events go to
 * Kafka's in-memory producer. The same paths against a broker are in {@code JobLifecycleIntegrationTest}.
 */
class JobProcessorTest {

    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(10);

    private final CancellationWatch watch = new CancellationWatch(purpose -> {
        throw new AssertionError("never started");
    }, Duration.ofHours(24), CATCH_UP_TIMEOUT, Clock.systemUTC());
    private final MockProducer<String, JobStatusEvent> events = new MockProducer<>(true, null,
            Topics.JOBS_STATUS.keySerde().serializer(), Topics.JOBS_STATUS.valueSerde().serializer());
    private final JobProcessor processor = processor(CATCH_UP_TIMEOUT);

    @Test
    void runsAJobAndTellsThatItStarted() {
        watch.caughtUpAsOf(Instant.now().plusSeconds(60));
        ClassifiedJob job = job(Instant.now(), null);

        JobResult result = processor.process(job, 2);

        assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(result.errorCode()).isNull();
        assertThat(result.tenant()).as("copied from the job").isEqualTo("acme");
        assertThat(runningEvents()).containsExactly(new JobStatusEvent(job.job().jobId(), JobStatus.RUNNING,
                result.startedAt(), JobClass.LIGHT, "light", 2, null));
    }

    @Test
    void reportsTheCpuTimeTheJobUsedBesideItsWallTime() {
        watch.caughtUpAsOf(Instant.now().plusSeconds(60));
        Instant now = Instant.now();
        // 20 pages at 5 ms each: 100 ms of CPU
        Job job = new Job(UUID.randomUUID().toString(), "pages.pdf", 0, 20, 0, now, null, null, "acme", null);

        JobResult result = processor.process(new ClassifiedJob(job, JobClass.LIGHT, "below all thresholds", now), 1);

        assertThat(result.cpuMs()).isBetween(100L, 150L);
        assertThat(result.processingMs()).isGreaterThanOrEqualTo(result.cpuMs() - 1);
        assertThat(processor.process(job(Instant.now().minusSeconds(5), 1), 1).cpuMs()).as("past its deadline")
                .isNull();
    }

    @Test
    void neverStartsACancelledJob() {
        ClassifiedJob job = job(Instant.now(), null);
        Instant requestedAt = Instant.now();
        watch.accept(new JobCancellation(job.job().jobId(), requestedAt));

        JobResult first = processor.process(job, 1);
        JobResult retry = processor.process(job, 3);

        assertThat(first.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(first.errorCode()).isEqualTo(JobErrorCode.CANCELLED);
        assertThat(first.attempts()).isZero();
        assertThat(first.error()).contains(requestedAt.toString(), "before attempt 1 started");
        assertThat(retry.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(retry.attempts()).isEqualTo(2);
        assertThat(runningEvents()).isEmpty();
    }

    @Test
    void neverStartsAJobPastItsDeadline() {
        ClassifiedJob job = job(Instant.now().minusSeconds(5), 2);

        JobResult result = processor.process(job, 1);

        assertThat(result.status()).isEqualTo(JobStatus.FAILED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.DEADLINE_EXCEEDED);
        assertThat(result.attempts()).isZero();
        assertThat(result.error()).contains(job.job().deadline().toString(), "before attempt 1 started");
        assertThat(result.tenant()).isEqualTo("acme");
        assertThat(runningEvents()).isEmpty();
    }

    @Test
    void cancelsAFinishedJobWhoseCancellationWasRequestedBeforeItStartedButReadLater() throws Exception {
        ClassifiedJob job = job(Instant.now(), null);
        CompletableFuture<JobResult> processing = CompletableFuture.supplyAsync(() -> processor.process(job, 1));
        Instant startedAt = awaitStart();

        // What the watch reads once the job has started: a request made just before.
        watch.accept(new JobCancellation(job.job().jobId(), startedAt.minusMillis(1)));
        watch.caughtUpAsOf(startedAt);
        JobResult result = processing.get(10, TimeUnit.SECONDS);

        assertThat(result.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.CANCELLED);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.error()).contains("read after it ran");
    }

    @Test
    void keepsTheResultOfAJobCancelledOnlyAfterItStarted() throws Exception {
        ClassifiedJob job = job(Instant.now(), null);
        CompletableFuture<JobResult> processing = CompletableFuture.supplyAsync(() -> processor.process(job, 1));
        Instant startedAt = awaitStart();

        watch.accept(new JobCancellation(job.job().jobId(), startedAt.plusMillis(1)));
        watch.caughtUpAsOf(startedAt);

        assertThat(processing.get(10, TimeUnit.SECONDS).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void keepsTheResultWhenTheCancellationsCannotBeReadInTime() {
        ClassifiedJob job = job(Instant.now(), null);
        long before = System.nanoTime();

        JobResult result = processor(Duration.ofMillis(200)).process(job, 1);

        assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    private JobProcessor processor(Duration catchUpTimeout) {
        WorkerProperties properties = new WorkerProperties("light", "test", List.of("jobs.light"),
                Duration.ofSeconds(10), new WorkerProperties.Cost(1.0, 20, 5, 20, Duration.ofSeconds(30)),
                new WorkerProperties.Retry(3, List.of(Duration.ofSeconds(1)), 1),
                new WorkerProperties.Cancellation(catchUpTimeout));
        return new JobProcessor(new CostModel(properties.cost()), new CpuBurner(), watch,
                new StatusEvents(events, properties.pool()), properties, Clock.systemUTC());
    }

    /** The start of the one attempt under way, from its RUNNING event. */
    private Instant awaitStart() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.history().isEmpty());
        return events.history().get(0).value().at();
    }

    private List<JobStatusEvent> runningEvents() {
        return events.history().stream().map(record -> record.value()).toList();
    }

    /** A job that costs no CPU, so that a test decides what happens between its start and its end. */
    private static ClassifiedJob job(Instant submittedAt, Integer deadlineSeconds) {
        Job job = new Job(UUID.randomUUID().toString(), "empty.pdf", 0, 0, 0, submittedAt, null, deadlineSeconds,
                "acme", null);
        return new ClassifiedJob(job, JobClass.LIGHT, "below all thresholds", submittedAt);
    }
}
