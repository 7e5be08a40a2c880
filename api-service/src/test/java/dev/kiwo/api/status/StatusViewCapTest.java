package dev.kiwo.api.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.Topic;
import dev.kiwo.model.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The status view's cap ({@code kiwo.api.status.max-jobs}), on a view fed records directly: past the cap it drops
 * the jobs that ended longest ago down to 90 % of the cap, keeps every unfinished one while an ended one is
 * left, and drops unfinished jobs, changed longest ago first, only when none has ended.
 */
class StatusViewCapTest {

    private static final int CAP = 10;
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private final JobStatusView view = new JobStatusView(Map.of(), Duration.ofDays(3650), CAP, Duration.ofSeconds(1),
            Clock.systemUTC(), Runnable::run);

    @Test
    void overTheCapTheJobsThatEndedLongestAgoGoFirst() {
        // Ended ones finishing in an order other than their submission: the finishing time counts.
        List<UUID> ended = new ArrayList<>();
        int[] finishOrder = {3, 0, 5, 1, 4, 2};
        for (int i = 0; i < 6; i++) {
            ended.add(finished(T0.plusSeconds(i), T0.plusSeconds(100 + finishOrder[i])));
        }
        List<UUID> unfinished = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            unfinished.add(accepted(T0.plusSeconds(10 + i)));
        }
        assertThat(view.size()).isEqualTo(CAP);
        assertThat(view.evicted(true)).isZero();

        UUID newest = accepted(T0.plusSeconds(200));

        // 11 jobs: down to 9, the two that finished first (finish order 0 and 1) are gone.
        assertThat(view.size()).isEqualTo(9);
        assertThat(view.evicted(true)).isEqualTo(2);
        assertThat(view.evicted(false)).isZero();
        assertThat(view.current(ended.get(1))).isEmpty();
        assertThat(view.current(ended.get(3))).isEmpty();
        for (int i : new int[] {0, 2, 4, 5}) {
            assertThat(view.current(ended.get(i))).as("ended job %d", i).isPresent();
        }
        unfinished.forEach(jobId -> assertThat(view.current(jobId)).as("unfinished %s", jobId).isPresent());
        assertThat(view.current(newest)).isPresent();
    }

    @Test
    void unfinishedJobsGoOnlyWhenNoEndedJobIsLeftOldestFirst() {
        UUID lastEnded = finished(T0, T0.plusSeconds(1));
        List<UUID> unfinished = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            unfinished.add(accepted(T0.plusSeconds(10 + i)));
        }
        assertThat(view.size()).isEqualTo(CAP);

        accepted(T0.plusSeconds(100));

        // The one ended job goes, then the unfinished one changed longest ago.
        assertThat(view.size()).isEqualTo(9);
        assertThat(view.evicted(true)).isEqualTo(1);
        assertThat(view.evicted(false)).isEqualTo(1);
        assertThat(view.current(lastEnded)).isEmpty();
        assertThat(view.current(unfinished.get(0))).isEmpty();
        unfinished.subList(1, 9).forEach(jobId -> assertThat(view.current(jobId)).isPresent());
    }

    @Test
    void aRecordOfAJobTheViewHoldsDoesNotEvict() {
        List<UUID> jobs = new ArrayList<>();
        for (int i = 0; i < CAP; i++) {
            jobs.add(accepted(T0.plusSeconds(i)));
        }
        // More about jobs it already holds: the count stays at the cap.
        for (UUID jobId : jobs) {
            read(Topics.JOBS_RESULTS, jobId, result(jobId, T0, T0.plusSeconds(50)));
        }

        assertThat(view.size()).isEqualTo(CAP);
        assertThat(view.evicted(true) + view.evicted(false)).isZero();
    }

    private UUID accepted(Instant submittedAt) {
        UUID jobId = UUID.randomUUID();
        read(Topics.JOBS_IN, jobId, new Job(jobId.toString(), null, 1, 1, 0, submittedAt));
        return jobId;
    }

    private UUID finished(Instant submittedAt, Instant finishedAt) {
        UUID jobId = accepted(submittedAt);
        read(Topics.JOBS_RESULTS, jobId, result(jobId, submittedAt, finishedAt));
        return jobId;
    }

    private static JobResult result(UUID jobId, Instant submittedAt, Instant finishedAt) {
        return new JobResult(jobId.toString(), JobClass.LIGHT, JobStatus.SUCCEEDED, "light", "worker-light-0",
                submittedAt, submittedAt, submittedAt, finishedAt, 5, null, null, 1);
    }

    private <V> void read(Topic<String, V> topic, UUID jobId, V value) {
        view.read(new ConsumerRecord<>(topic.name(), 0, 0, jobId.toString(),
                topic.valueSerde().serializer().serialize(topic.name(), value)));
    }
}
