package dev.kiwo.api.jobs;

import dev.kiwo.model.Job;
import java.time.Instant;

/** The client-supplied part of a job, already validated. */
record JobRequest(String name, double fileSizeMb, int pageCount, int imageCount) {

    Job toJob(String jobId, Instant submittedAt) {
        return new Job(jobId, name, fileSizeMb, pageCount, imageCount, submittedAt);
    }
}
