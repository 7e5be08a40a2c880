package dev.kiwo.worker.heavy;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.Topics;
import dev.kiwo.worker.PoolApplicationTest;
import java.time.Instant;
import java.util.UUID;

class HeavyWorkerApplicationTest extends PoolApplicationTest {

    HeavyWorkerApplicationTest() {
        super(new Pool("heavy", Topics.JOBS_HEAVY, JobClass.HEAVY, 1, "kiwo-worker-heavy", 1, "600000",
                new ClassifiedJob(new Job(UUID.randomUUID().toString(), "scan.pdf", 60, 0, 0, Instant.now()),
                        JobClass.HEAVY, "fileSizeMb>=50", Instant.now()),
                // 0.1 * 60 MB * 20 = 120 ms of CPU, so at least 120 ms of wall time.
                120));
    }
}
