package dev.kiwo.model;

/**
 * Where a job is in its life. A job moves forward only: {@code ACCEPTED} (in {@code jobs.in}), {@code QUEUED}
 * (classified, in its pool's topic), then {@code RUNNING} and, between failed attempts, {@code RETRYING}, until
 * one terminal status. Only terminal statuses appear on {@code jobs.results}; the others on {@code jobs.status}
 * ({@code ACCEPTED} is the job's record on {@code jobs.in} itself).
 */
public enum JobStatus {
    ACCEPTED,
    QUEUED,
    RUNNING,
    RETRYING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    /** Whether the job has ended: it has exactly one record on {@code jobs.results}. */
    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
