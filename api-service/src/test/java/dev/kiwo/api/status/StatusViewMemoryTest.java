package dev.kiwo.api.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.Topic;
import dev.kiwo.model.Topics;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Measures the heap the status view needs per job, reading the records a finished job leaves (accepted, queued,
 * running, result) into a real view. Prints the figure docs/architecture.md quotes, and fails if it grows past
 * a bound that would make the default 24 hours of retention unaffordable.
 */
class StatusViewMemoryTest {

    private static final int JOBS = 1_000_000;
    private static final long MAX_BYTES_PER_JOB = 400;

    @Test
    void aMillionFinishedJobsFitInAFewHundredMegabytes() {
        JobStatusView view = new JobStatusView(Map.of(), Duration.ofDays(1), JOBS, Duration.ofSeconds(1),
                Clock.systemUTC(), Runnable::run);
        Instant now = Instant.now();
        long before = usedHeapAfterGc();

        for (int i = 0; i < JOBS; i++) {
            String jobId = UUID.randomUUID().toString();
            // Every job with its tenant, and every other one submitted with an idempotency key (a fingerprint).
            Job job = new Job(jobId, i % 10 == 0 ? "report " + i : null, 3.5, 12, 1, now, null,
                    i % 4 == 0 ? 600 : null, "tenant-" + i % 20, i % 2 == 0 ? String.format("%016x", i) : null);
            JobClass jobClass = i % 5 == 0 ? JobClass.HEAVY : JobClass.LIGHT;
            String pool = jobClass.name().toLowerCase();
            view.read(record(Topics.JOBS_IN, jobId, job));
            view.read(record(Topics.JOBS_STATUS, jobId,
                    new JobStatusEvent(jobId, JobStatus.QUEUED, now, jobClass, null, null, null)));
            view.read(record(Topics.JOBS_STATUS, jobId,
                    new JobStatusEvent(jobId, JobStatus.RUNNING, now, jobClass, pool, 1, null)));
            view.read(record(Topics.JOBS_RESULTS, jobId, new JobResult(jobId, jobClass, JobStatus.SUCCEEDED, pool,
                    "worker-" + pool + "-7d9f8c6b5-x2x9q", now, now, now, now.plusMillis(180), 180, null, null, 1, job.tenant())));
        }
        long after = usedHeapAfterGc();

        assertThat(view.size()).isEqualTo(JOBS);
        long perJob = (after - before) / JOBS;
        System.out.printf("Status view: %,d jobs use %,d MiB of heap, %d bytes per job (Java %s, %s)%n", JOBS,
                (after - before) >> 20, perJob, Runtime.version(), System.getProperty("java.vm.name"));
        assertThat(perJob).isBetween(1L, MAX_BYTES_PER_JOB);
    }

    private static <V> ConsumerRecord<String, byte[]> record(Topic<String, V> topic, String key, V value) {
        return new ConsumerRecord<>(topic.name(), 0, 0, key, topic.valueSerde().serializer().serialize(topic.name(), value));
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
