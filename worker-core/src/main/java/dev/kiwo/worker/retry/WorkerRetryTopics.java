package dev.kiwo.worker.retry;

import dev.kiwo.model.Topics;
import dev.kiwo.worker.config.WorkerProperties;
import dev.kiwo.worker.metrics.WorkerMetrics;
import dev.kiwo.worker.results.ResultPublisher;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer.HeaderNames;
import org.springframework.kafka.retrytopic.DeadLetterPublishingRecovererFactory;
import org.springframework.kafka.retrytopic.DltStrategy;
import org.springframework.kafka.retrytopic.RetryTopicComponentFactory;
import org.springframework.kafka.retrytopic.RetryTopicConfiguration;
import org.springframework.kafka.retrytopic.RetryTopicConfigurationBuilder;
import org.springframework.kafka.retrytopic.RetryTopicConfigurationSupport;
import org.springframework.kafka.retrytopic.RetryTopicNamesProviderFactory;
import org.springframework.kafka.retrytopic.RetryTopicSchedulerWrapper;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Non-blocking retries with Spring Kafka's retry topics: a failed job goes to {@code <topic>.retry-<delay>}
 * for each delay tier in {@code kiwo.worker.retry.delays}, whose consumer pauses only that partition until
 * the record is due, and after {@code kiwo.worker.retry.attempts} attempts to the shared {@code jobs.dlq}.
 * The forwarding is made transactional by {@link TransactionalForwarder}. The topics are declared by
 * the worker auto-configuration with the partition counts of their job topic, not by Spring's retry
 * support, which would also declare {@code jobs.dlq} with the job topics' partition count.
 */
@Configuration(proxyBeanMethods = false)
public class WorkerRetryTopics extends RetryTopicConfigurationSupport {

    private final WorkerProperties properties;
    private final ObjectProvider<KafkaTemplate<Object, Object>> template;
    private final ObjectProvider<ResultPublisher> results;
    private final ObjectProvider<WorkerMetrics> metrics;

    WorkerRetryTopics(WorkerProperties properties, ObjectProvider<KafkaTemplate<Object, Object>> template,
                      ObjectProvider<ResultPublisher> results, ObjectProvider<WorkerMetrics> metrics) {
        this.properties = properties;
        this.template = template;
        this.results = results;
        this.metrics = metrics;
    }

    @Bean
    RetryTopicConfiguration kiwoRetryTopics(KafkaTemplate<Object, Object> kafkaTemplate) {
        WorkerProperties.Retry retry = properties.retry();
        List<Long> backOffs = retry.backOffs().stream().map(Duration::toMillis).toList();
        return RetryTopicConfigurationBuilder.newInstance()
                .includeTopics(properties.topics())
                .maxAttempts(retry.attempts())
                .customBackoff(new TieredBackOff(backOffs))
                .useSingleTopicForSameIntervals()
                .doNotAutoCreateRetryTopics()
                .notRetryOn(UnprocessableRecordException.class)
                .traversingCauses()
                .concurrency(retry.concurrency())
                // jobs.dlq is for people and the replay tool; the worker itself never consumes it.
                .autoStartDltHandler(false)
                .dltProcessingFailureStrategy(DltStrategy.FAIL_ON_ERROR)
                .create(kafkaTemplate);
    }

    /** Its own scheduler resumes paused retry partitions, so the feature does not depend on a shared one. */
    @Bean
    RetryTopicSchedulerWrapper retryTopicSchedulerWrapper() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setThreadNamePrefix("kiwo-retry-");
        return new RetryTopicSchedulerWrapper(scheduler);
    }

    @Override
    protected RetryTopicComponentFactory createComponentFactory() {
        return new RetryTopicComponentFactory() {
            @Override
            public RetryTopicNamesProviderFactory retryTopicNamesProviderFactory() {
                return new RetryTopicNames();
            }
        };
    }

    @Override
    protected Consumer<DeadLetterPublishingRecovererFactory> configureDeadLetterPublishingContainerFactory() {
        return factory -> {
            factory.setDeadLetterPublisherCreator((templateResolver, destinationResolver) -> new TransactionalForwarder(
                    templateResolver, destinationResolver, template.getObject(), results.getObject(),
                    metrics.getObject(), properties.pool(), Clock.systemUTC()));
            factory.setHeadersFunction(TransactionalForwarder.failureHeaders(properties.pool(), Clock.systemUTC()));
            // Retry topics mirror the partition of their job topic; jobs.dlq has fewer, so its producer picks.
            factory.setPartitionResolver((record, nextTopic) ->
                    Topics.JOBS_DLQ.name().equals(nextTopic) ? null : record.partition());
            // The same kafka_dlt-* header names as every other dead letter of kiwo.
            factory.setDeadLetterPublishingRecovererCustomizer(recoverer ->
                    recoverer.setHeaderNamesSupplier(WorkerRetryTopics::deadLetterHeaderNames));
            // TransactionalForwarder logs one line per decision instead.
            factory.neverLogListenerException();
        };
    }

    private static HeaderNames deadLetterHeaderNames() {
        return HeaderNames.Builder.original()
                .offsetHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET)
                .timestampHeader(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP)
                .timestampTypeHeader(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP_TYPE)
                .topicHeader(KafkaHeaders.DLT_ORIGINAL_TOPIC)
                .partitionHeader(KafkaHeaders.DLT_ORIGINAL_PARTITION)
                .consumerGroupHeader(KafkaHeaders.DLT_ORIGINAL_CONSUMER_GROUP)
                .exception()
                .keyExceptionFqcn(KafkaHeaders.DLT_KEY_EXCEPTION_FQCN)
                .exceptionFqcn(KafkaHeaders.DLT_EXCEPTION_FQCN)
                .exceptionCauseFqcn(KafkaHeaders.DLT_EXCEPTION_CAUSE_FQCN)
                .keyExceptionMessage(KafkaHeaders.DLT_KEY_EXCEPTION_MESSAGE)
                .exceptionMessage(KafkaHeaders.DLT_EXCEPTION_MESSAGE)
                .keyExceptionStacktrace(KafkaHeaders.DLT_KEY_EXCEPTION_STACKTRACE)
                .exceptionStacktrace(KafkaHeaders.DLT_EXCEPTION_STACKTRACE)
                .build();
    }

    /** The configured delay before each retry, in order. */
    private record TieredBackOff(List<Long> delays) implements BackOff {

        @Override
        public BackOffExecution start() {
            Iterator<Long> next = delays.iterator();
            return () -> next.hasNext() ? next.next() : BackOffExecution.STOP;
        }
    }
}
