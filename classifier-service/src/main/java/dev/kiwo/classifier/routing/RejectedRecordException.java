package dev.kiwo.classifier.routing;

/**
 * A record that deserialized but breaks the topic's contract (no value, no key, or a key other than the jobId).
 * Thrown inside the topology so that the processing exception handler sends the record to the dead-letter
 * topic with this class and message in its headers, exactly like a record that failed to deserialize.
 */
class RejectedRecordException extends RuntimeException {

    RejectedRecordException(String message) {
        super(message);
    }
}
