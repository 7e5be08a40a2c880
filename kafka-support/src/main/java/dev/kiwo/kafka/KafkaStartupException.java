package dev.kiwo.kafka;

/**
 * Start-up cannot go on with the Kafka kiwo found: the topics or the connection are not what it expects.
 * The message is one line that says what is wrong and names the topic or the connection; {@link #action()}
 * says what to check. {@link KafkaStartupFailureAnalyzer} prints both when the application fails to start.
 */
public class KafkaStartupException extends IllegalStateException {

    private final String action;

    public KafkaStartupException(String message, String action, Throwable cause) {
        super(message, cause);
        this.action = action;
    }

    /** What an operator should check or change. */
    public String action() {
        return action;
    }
}
