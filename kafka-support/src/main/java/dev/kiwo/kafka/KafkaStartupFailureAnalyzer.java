package dev.kiwo.kafka;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints a failed Kafka start-up check as Spring Boot's "APPLICATION FAILED TO START" description and action. */
class KafkaStartupFailureAnalyzer extends AbstractFailureAnalyzer<KafkaStartupException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, KafkaStartupException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
