package dev.kiwo.worker.light;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.Topics;
import dev.kiwo.worker.PoolApplicationTest;
import java.time.Instant;
import java.util.UUID;

class LightWorkerApplicationTest extends PoolApplicationTest {

    LightWorkerApplicationTest() {
        super(new Pool("light", Topics.JOBS_LIGHT, JobClass.LIGHT, 4, "kiwo-worker-light", 10, "60000",
                new ClassifiedJob(new Job(UUID.randomUUID().toString(), "invoice.pdf", 1, 3, 0, Instant.now()),
                        JobClass.LIGHT, "below all thresholds", Instant.now()),
                // 0.1 * (1 MB * 20 + 3 pages * 5) = 3.5 ms of CPU, so at least 3 ms of wall time.
                3));
    }
}
