package dev.kiwo.worker;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Does the work of one job and describes it as a result. */
final class JobProcessor {

    private final CostModel costModel;
    private final CpuBurner burner;
    private final String pool;
    private final String instance;
    private final Clock clock = Clock.systemUTC();

    JobProcessor(CostModel costModel, CpuBurner burner, WorkerProperties properties) {
        this.costModel = costModel;
        this.burner = burner;
        this.pool = properties.pool();
        this.instance = properties.instance();
    }

    /**
     * Processes one attempt (1 for the first) of a job.
     *
     * @throws SimulatedFailureException when the job asked for this attempt to fail; the work is done first,
     *                                   as a real failure late in processing would have it
     */
    JobResult process(ClassifiedJob classified, int attempt) {
        Job job = classified.job();
        Instant startedAt = clock.instant();
        burner.burn(costModel.costMs(job));
        if (job.simulate() != null && job.simulate().failsAttempt(attempt)) {
            throw new SimulatedFailureException("Simulated failure of attempt " + attempt + " of job " + job.jobId()
                    + " (" + job.simulate() + ")");
        }
        Instant finishedAt = clock.instant();
        return new JobResult(job.jobId(), classified.jobClass(), JobStatus.SUCCEEDED, pool, instance,
                job.submittedAt(), classified.classifiedAt(), startedAt, finishedAt,
                Duration.between(startedAt, finishedAt).toMillis(), null, null, attempt);
    }
}
