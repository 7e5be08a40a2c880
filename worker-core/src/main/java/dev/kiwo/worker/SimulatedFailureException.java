package dev.kiwo.worker;

/** A failure a job asked for with its {@code simulate} field, for demos and tests of retries and dead letters. */
final class SimulatedFailureException extends RuntimeException {

    SimulatedFailureException(String message) {
        super(message);
    }
}
