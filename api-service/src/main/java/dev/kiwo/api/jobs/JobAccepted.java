package dev.kiwo.api.jobs;

import java.time.Instant;

/** Body of the 202 answer to {@code POST /jobs}. */
record JobAccepted(String jobId, String status, Instant submittedAt) {

    static JobAccepted of(String jobId, Instant submittedAt) {
        return new JobAccepted(jobId, "ACCEPTED", submittedAt);
    }
}
