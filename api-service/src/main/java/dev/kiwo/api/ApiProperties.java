package dev.kiwo.api;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the HTTP front door.
 *
 * @param maxRequestSize      largest accepted request body; larger bodies get 413, with or without Content-Length.
 *                            Applies to every body but a batch
 * @param produceTimeout      upper bound for handing a job, or all jobs of a batch, to Kafka, including waiting
 *                            for the broker's ack; the producer's own timeouts are derived from it. The answer then
 *                            comes at once: no request waits longer for Kafka, and none holds a thread meanwhile
 * @param retryAfter          what the Retry-After header of a 503 suggests to clients
 * @param maxBatchRequestSize largest accepted batch body ({@code application/x-ndjson}); larger bodies get 413
 * @param maxBatchLines       most lines, blank ones included, in one batch; more get 413
 * @param maxInFlightJobs     most jobs this replica has sent to Kafka and not yet seen acknowledged; a job or
 *                            batch that would pass it gets 503 at once instead of queueing in the producer
 * @param allowSimulation     whether jobs may carry {@code simulate} (fail on purpose, for demos and tests); when
 *                            not, such a job is a 400 naming {@code simulate}. Off unless a deployment turns it on
 */
@ConfigurationProperties("kiwo.api")
public record ApiProperties(
        @DefaultValue("64KB") DataSize maxRequestSize,
        @DefaultValue("2s") Duration produceTimeout,
        @DefaultValue("3s") Duration retryAfter,
        @DefaultValue("1MB") DataSize maxBatchRequestSize,
        @DefaultValue("1000") int maxBatchLines,
        @DefaultValue("10000") int maxInFlightJobs,
        @DefaultValue("false") boolean allowSimulation) {

    public ApiProperties {
        if (maxRequestSize.toBytes() < 1) {
            throw new IllegalArgumentException("kiwo.api.max-request-size must be positive");
        }
        if (produceTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("kiwo.api.produce-timeout must be at least 100ms");
        }
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("kiwo.api.retry-after must not be negative");
        }
        if (maxBatchRequestSize.toBytes() < 1) {
            throw new IllegalArgumentException("kiwo.api.max-batch-request-size must be positive");
        }
        if (maxBatchLines < 1) {
            throw new IllegalArgumentException("kiwo.api.max-batch-lines must be positive");
        }
        if (maxInFlightJobs < maxBatchLines) {
            throw new IllegalArgumentException("kiwo.api.max-in-flight-jobs must be at least"
                    + " kiwo.api.max-batch-lines, or a full batch could never be sent");
        }
    }
}
