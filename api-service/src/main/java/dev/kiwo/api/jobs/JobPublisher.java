package dev.kiwo.api.jobs;

import dev.kiwo.model.Job;

/** Hands an accepted job to the rest of the system. */
interface JobPublisher {

    /**
     * Returns once the job is durably stored.
     *
     * @throws JobNotPublishedException if that did not happen within the configured bound
     */
    void publish(Job job, String correlationId);
}
