package dev.kiwo.api.jobs;

import dev.kiwo.model.Job;
import dev.kiwo.model.Simulation;
import java.time.Instant;

/** The client-supplied part of a job, already validated; {@code simulate} is null for a real job. */
record JobRequest(String name, double fileSizeMb, int pageCount, int imageCount, Simulation simulate) {

    Job toJob(String jobId, Instant submittedAt) {
        return new Job(jobId, name, fileSizeMb, pageCount, imageCount, submittedAt, simulate);
    }
}
