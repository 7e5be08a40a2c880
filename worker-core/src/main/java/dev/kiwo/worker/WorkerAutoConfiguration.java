package dev.kiwo.worker;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.TopicLayout;
import dev.kiwo.model.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerAwareRecordRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Everything a worker pool runs: the job listener, its serdes, error handling and metrics. A pool application
 * only adds its configuration.
 */
@AutoConfiguration
@EnableConfigurationProperties(WorkerProperties.class)
public class WorkerAutoConfiguration {

    @Bean
    KafkaAdmin.NewTopics kiwoTopics(Environment environment) {
        TopicLayout layout = Binder.get(environment).bind("kiwo.topics", TopicLayout.class)
                .orElse(TopicLayout.DEFAULTS);
        return new KafkaAdmin.NewTopics(layout.newTopics().toArray(NewTopic[]::new));
    }

    /**
     * A record that cannot be read must not kill the consumer: the error handling deserializer hands the
     * failure and the original bytes to the error handler instead.
     */
    @Bean
    @SuppressWarnings("unchecked")
    DefaultKafkaConsumerFactoryCustomizer classifiedJobDeserializers() {
        return factory -> {
            DefaultKafkaConsumerFactory<String, ClassifiedJob> jobs =
                    (DefaultKafkaConsumerFactory<String, ClassifiedJob>) factory;
            jobs.setKeyDeserializerSupplier(
                    () -> new ErrorHandlingDeserializer<>(Topics.JOBS_LIGHT.keySerde().deserializer()));
            jobs.setValueDeserializerSupplier(
                    () -> new ErrorHandlingDeserializer<>(Topics.JOBS_LIGHT.valueSerde().deserializer()));
        };
    }

    /**
     * One producer writes results and dead letters (ready for one transaction around both later), so it
     * serializes by type with each topic's own serde.
     */
    @Bean
    @SuppressWarnings("unchecked")
    DefaultKafkaProducerFactoryCustomizer resultAndDeadLetterSerializers() {
        Map<Class<?>, Serializer<?>> keys = Map.of(
                String.class, Topics.JOBS_RESULTS.keySerde().serializer(),
                byte[].class, Topics.JOBS_DLQ.keySerde().serializer());
        Map<Class<?>, Serializer<?>> values = Map.of(
                JobResult.class, Topics.JOBS_RESULTS.valueSerde().serializer(),
                ClassifiedJob.class, Topics.JOBS_LIGHT.valueSerde().serializer(),
                byte[].class, Topics.JOBS_DLQ.valueSerde().serializer());
        return factory -> {
            DefaultKafkaProducerFactory<Object, Object> producers = (DefaultKafkaProducerFactory<Object, Object>) factory;
            producers.setKeySerializerSupplier(() -> new DelegatingByTypeSerializer(keys));
            producers.setValueSerializerSupplier(() -> new DelegatingByTypeSerializer(values));
        };
    }

    /**
     * Unreadable records go to the DLQ at once; other failures are retried a few times first. The DLQ has
     * fewer partitions than the job topics, so the partitioner chooses rather than mirroring the source.
     */
    @Bean
    CommonErrorHandler workerErrorHandler(KafkaTemplate<Object, Object> template, WorkerMetrics metrics,
                                          WorkerProperties properties) {
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(template,
                (record, exception) -> new TopicPartition(Topics.JOBS_DLQ.name(), -1));
        ConsumerAwareRecordRecoverer recoverer = (record, consumer, exception) -> {
            deadLetters.accept(record, consumer, exception);
            metrics.deadLettered();
        };
        WorkerProperties.Retry retry = properties.retry();
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer,
                new FixedBackOff(retry.interval().toMillis(), retry.maxRetries()));
        handler.addNotRetryableExceptions(UnprocessableRecordException.class);
        return handler;
    }

    /**
     * On shutdown the container finishes the record in flight; let it wait as long as the shutdown phase
     * allows, which each pool sets to cover its longest job.
     */
    @Bean
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> finishInFlightJobOnStop(
            Environment environment) {
        Duration phase = Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(Duration.ofSeconds(30));
        return container -> container.getContainerProperties().setShutdownTimeout(phase.toMillis());
    }

    @Bean
    CostModel costModel(WorkerProperties properties) {
        return new CostModel(properties.cost());
    }

    @Bean
    CpuBurner cpuBurner() {
        return new CpuBurner();
    }

    @Bean
    JobProcessor jobProcessor(CostModel costModel, CpuBurner cpuBurner, WorkerProperties properties) {
        return new JobProcessor(costModel, cpuBurner, properties);
    }

    @Bean
    WorkerMetrics workerMetrics(MeterRegistry registry, WorkerProperties properties) {
        return new WorkerMetrics(registry, properties);
    }

    @Bean
    ResultPublisher resultPublisher(KafkaTemplate<Object, Object> template, WorkerProperties properties) {
        return new ResultPublisher(template, properties);
    }

    @Bean
    JobListener jobListener(JobProcessor processor, ResultPublisher publisher, WorkerMetrics metrics,
                            WorkerProperties properties) {
        return new JobListener(processor, publisher, metrics, properties);
    }
}
