package dev.kiwo.classifier.routing;

/**
 * A routed record that would exceed the record limit ({@code kiwo.classifier.max-record-bytes}). Thrown before
 * the record is sent, so that the processing exception handler dead-letters the job instead of the producer
 * failing the send, which under exactly-once would break the transaction and stop the task.
 */
class OversizedRecordException extends RuntimeException {

    OversizedRecordException(String message) {
        super(message);
    }
}
