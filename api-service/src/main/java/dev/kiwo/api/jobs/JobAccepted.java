package dev.kiwo.api.jobs;

import dev.kiwo.model.Job;
import java.time.Instant;

/** Body of the 202 answer to {@code POST /jobs}. */
record JobAccepted(String jobId, String status, Instant submittedAt) {

    static JobAccepted of(Job job) {
        return new JobAccepted(job.jobId(), "ACCEPTED", job.submittedAt());
    }
}
