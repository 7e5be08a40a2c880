package dev.kiwo.worker;

/** A record no retry can make processable; it goes straight to the DLQ. */
final class UnprocessableRecordException extends RuntimeException {

    UnprocessableRecordException(String message) {
        super(message);
    }
}
