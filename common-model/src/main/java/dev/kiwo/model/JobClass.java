package dev.kiwo.model;

/** Which worker pool a job belongs to. */
public enum JobClass {
    LIGHT,
    HEAVY
}
