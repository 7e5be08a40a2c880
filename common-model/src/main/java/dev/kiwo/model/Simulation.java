package dev.kiwo.model;

/**
 * Makes a job fail on purpose, for demos and tests of retries and dead letters. Absent in real jobs.
 *
 * @param failures  how many attempts fail before one succeeds (0 or absent: none)
 * @param permanent every attempt fails, so the job ends dead-lettered
 */
public record Simulation(Integer failures, Boolean permanent) {

    public Simulation {
        if (failures != null && failures < 0) {
            throw new IllegalArgumentException("simulate.failures must be >= 0, was " + failures);
        }
    }

    /** Whether the given attempt (1 for the first) is to fail. */
    public boolean failsAttempt(int attempt) {
        return Boolean.TRUE.equals(permanent) || (failures != null && attempt <= failures);
    }
}
