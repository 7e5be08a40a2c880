package dev.kiwo.worker;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.TopicLayout;
import dev.kiwo.model.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * Everything a worker pool runs: the job listener, its serdes, error handling and metrics. A pool application
 * only adds its configuration.
 */
@AutoConfiguration
@EnableConfigurationProperties(WorkerProperties.class)
@Import(WorkerRetryTopics.class)
public class WorkerAutoConfiguration {

    /** The five shared topics, plus the retry topics of this pool's job topics with the same partitions. */
    @Bean
    KafkaAdmin.NewTopics kiwoTopics(Environment environment, WorkerProperties properties) {
        TopicLayout layout = Binder.get(environment).bind("kiwo.topics", TopicLayout.class)
                .orElse(TopicLayout.DEFAULTS);
        List<NewTopic> topics = new ArrayList<>(layout.newTopics());
        for (String topic : properties.topics()) {
            int partitions = Topics.JOBS_HEAVY.name().equals(topic) ? layout.heavyPartitions() : layout.lightPartitions();
            for (Duration tier : properties.retry().tiers()) {
                topics.add(new NewTopic(RetryTopicNames.retryTopic(topic, tier), partitions, layout.replicationFactor()));
            }
        }
        return new KafkaAdmin.NewTopics(topics.toArray(NewTopic[]::new));
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
     * One transactional producer writes results, retries and dead letters, so it serializes by type with each
     * topic's own serde. The transactional id is set here rather than with
     * spring.kafka.producer.transaction-id-prefix, which would also make the listener containers
     * transactional: Spring's retry topics do not combine with container transactions, so the worker runs
     * its own transactions (see {@link ResultPublisher} and {@link TransactionalForwarder}).
     */
    @Bean
    @SuppressWarnings("unchecked")
    DefaultKafkaProducerFactoryCustomizer resultAndDeadLetterProducers(WorkerProperties properties) {
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
            producers.setTransactionIdPrefix(properties.transactionIdPrefix());
        };
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
    ResultPublisher resultPublisher(KafkaTemplate<Object, Object> template, WorkerProperties properties,
                                    ObjectProvider<ResultPublisher.BeforeResultCommit> beforeCommit) {
        return new ResultPublisher(template, properties, beforeCommit);
    }

    @Bean
    JobListener jobListener(JobProcessor processor, ResultPublisher publisher, WorkerMetrics metrics,
                            WorkerProperties properties) {
        return new JobListener(processor, publisher, metrics, properties);
    }
}
