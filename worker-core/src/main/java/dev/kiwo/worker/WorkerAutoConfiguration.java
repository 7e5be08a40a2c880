package dev.kiwo.worker;

import dev.kiwo.kafka.DeclaredTopics;
import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.TopicLayout;
import dev.kiwo.model.Topics;
import dev.kiwo.worker.config.WorkerProperties;
import dev.kiwo.worker.health.ListenerContainersHealthIndicator;
import dev.kiwo.worker.metrics.WorkerMetrics;
import dev.kiwo.worker.processing.CancellationWatch;
import dev.kiwo.worker.processing.CostModel;
import dev.kiwo.worker.processing.CpuBurner;
import dev.kiwo.worker.processing.JobProcessor;
import dev.kiwo.worker.results.ResultPublisher;
import dev.kiwo.worker.results.StatusEvents;
import dev.kiwo.worker.retry.RetryTopicNames;
import dev.kiwo.worker.retry.WorkerRetryTopics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
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

    /**
     * The retry topics of this pool's job topics, with the same partitions and the job topics' configs; kafka-support
     * declares the shared ones and checks (or creates) them all at start-up.
     */
    @Bean
    DeclaredTopics declaredRetryTopics(TopicLayout layout, WorkerProperties properties) {
        List<NewTopic> topics = new ArrayList<>();
        for (String topic : properties.topics()) {
            int partitions = Topics.JOBS_HEAVY.name().equals(topic) ? layout.heavyPartitions() : layout.lightPartitions();
            for (Duration tier : properties.retry().tiers()) {
                topics.add(layout.jobTopic(RetryTopicNames.retryTopic(topic, tier), partitions));
            }
        }
        return new DeclaredTopics(topics);
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
     * One transactional producer writes results, retries (with their RETRYING events) and dead letters, so it
     * serializes by type with each topic's own serde. The transactional id is set here rather than with
     * spring.kafka.producer.transaction-id-prefix, which would also make the listener containers
     * transactional: Spring's retry topics do not combine with container transactions, so the worker runs
     * its own transactions (see {@link ResultPublisher} and the retry package's TransactionalForwarder).
     */
    @Bean
    @SuppressWarnings("unchecked")
    DefaultKafkaProducerFactoryCustomizer resultAndDeadLetterProducers(WorkerProperties properties) {
        Map<Class<?>, Serializer<?>> keys = Map.of(
                String.class, Topics.JOBS_RESULTS.keySerde().serializer(),
                byte[].class, Topics.JOBS_DLQ.keySerde().serializer());
        Map<Class<?>, Serializer<?>> values = Map.of(
                JobResult.class, Topics.JOBS_RESULTS.valueSerde().serializer(),
                JobStatusEvent.class, Topics.JOBS_STATUS.valueSerde().serializer(),
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

    /** Liveness: {@code kafkaListeners} in management.endpoint.health.group.liveness of each pool. */
    @Bean
    ListenerContainersHealthIndicator kafkaListenersHealthIndicator(KafkaListenerEndpointRegistry registry) {
        return new ListenerContainersHealthIndicator(registry);
    }

    @Bean
    CostModel costModel(WorkerProperties properties) {
        return new CostModel(properties.cost());
    }

    @Bean
    CpuBurner cpuBurner() {
        return new CpuBurner();
    }

    /**
     * Reads {@code jobs.cancellations} with the connection settings of the listeners' consumers but none of their
     * group or tuning: no group (every worker reads every partition and commits nothing), a fetch that returns
     * as soon as one request arrives, and polls of many records when reading the topic from its start.
     */
    @Bean
    CancellationWatch cancellationWatch(ConsumerFactory<?, ?> consumerFactory, TopicLayout layout,
                                        WorkerProperties properties) {
        Map<String, Object> config = new HashMap<>(consumerFactory.getConfigurationProperties());
        List.of(ConsumerConfig.GROUP_ID_CONFIG, ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG)
                .forEach(config::remove);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        return new CancellationWatch(purpose -> {
            Map<String, Object> named = new HashMap<>(config);
            named.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(properties, purpose));
            return new KafkaConsumer<>(named, new StringDeserializer(), new ByteArrayDeserializer());
        }, layout.statusRetention(), properties.cancellation().catchUpTimeout(), Clock.systemUTC());
    }

    /**
     * RUNNING events go out through a producer of their own: the results' producer is transactional, and these
     * events must neither wait for a transaction nor fail a job. Leader acknowledgement is enough for an
     * at-most-once event, and a send blocks at most a second (for metadata, or a full buffer while the broker
     * is away).
     */
    @Bean
    StatusEvents statusEvents(ProducerFactory<?, ?> producerFactory, WorkerProperties properties) {
        Map<String, Object> config = new HashMap<>(producerFactory.getConfigurationProperties());
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId(properties, "status"));
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
        return new StatusEvents(new KafkaProducer<>(config, Topics.JOBS_STATUS.keySerde().serializer(),
                Topics.JOBS_STATUS.valueSerde().serializer()), properties.pool());
    }

    /** Names a client of this instance in the broker's logs and metrics. */
    private static String clientId(WorkerProperties properties, String purpose) {
        return "kiwo-worker-" + properties.pool() + "-" + properties.instance() + "-" + purpose;
    }

    @Bean
    JobProcessor jobProcessor(CostModel costModel, CpuBurner cpuBurner, CancellationWatch cancellationWatch,
                              StatusEvents statusEvents, WorkerProperties properties) {
        return new JobProcessor(costModel, cpuBurner, cancellationWatch, statusEvents, properties, Clock.systemUTC());
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
