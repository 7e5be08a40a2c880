package dev.kiwo.worker.processing;

/** A failure a job asked for with its {@code simulate} field, for demos and tests of retries and dead letters. */
public final class SimulatedFailureException extends RuntimeException {

    SimulatedFailureException(String message) {
        super(message);
    }
}
