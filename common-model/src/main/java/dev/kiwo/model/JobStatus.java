package dev.kiwo.model;

/** Terminal outcome of a job. */
public enum JobStatus {
    SUCCEEDED,
    FAILED
}
