package dev.kiwo.worker.retry;

/** A record no retry can make processable; it goes straight to the DLQ. */
public final class UnprocessableRecordException extends RuntimeException {

    public UnprocessableRecordException(String message) {
        super(message);
    }
}
