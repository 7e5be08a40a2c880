package dev.kiwo.api.jobs;

import dev.kiwo.api.ApiProperties;
import dev.kiwo.model.Job;
import dev.kiwo.model.Topics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.support.ProducerListener;

/** Kafka wiring of the API: the producer of {@code jobs.in} (kafka-support declares and checks the topics). */
@Configuration(proxyBeanMethods = false)
class JobsKafkaConfiguration {

    /** Kafka's default linger.ms since 4.0, used when none is configured. */
    private static final long DEFAULT_LINGER_MS = 5;

    @Bean
    DefaultKafkaProducerFactoryCustomizer jobsInProducer(ApiProperties properties) {
        return factory -> customize(jobsIn(factory), properties.produceTimeout());
    }

    /**
     * Histogram buckets for the publish timers, so Prometheus computes their quantiles across instances, unless
     * {@code management.metrics.distribution.percentiles-histogram} says otherwise for them. Not set through that
     * property: it matches by prefix and would also give the in-flight long task timer
     * {@code kiwo.api.publish.active} buckets.
     */
    @Bean
    MeterFilter publishLatencyHistogram() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return id.getType() == Meter.Type.TIMER && (id.getName().equals(KafkaJobPublisher.OBSERVATION)
                        || id.getName().equals(KafkaJobPublisher.BATCH_OBSERVATION))
                        && config.isPercentileHistogram() == null
                        ? DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config)
                        : config;
            }
        };
    }

    /**
     * Replaces Spring's logging listener: {@link KafkaJobPublisher} logs each failed send once with its correlation
     * id, and the default would add an ERROR with the payload for every request during a broker outage.
     */
    @Bean
    ProducerListener<Object, Object> kafkaProducerListener() {
        return new ProducerListener<>() {
        };
    }

    @SuppressWarnings("unchecked") // the API's only producer writes jobs.in
    private static DefaultKafkaProducerFactory<String, Job> jobsIn(DefaultKafkaProducerFactory<?, ?> factory) {
        return (DefaultKafkaProducerFactory<String, Job>) factory;
    }

    /** Serializers come from the topic's serdes; the timeouts follow the API's produce timeout (ProducerTimeouts). */
    static void customize(DefaultKafkaProducerFactory<String, Job> factory, Duration produceTimeout) {
        factory.setKeySerializerSupplier(() -> Topics.JOBS_IN.keySerde().serializer());
        factory.setValueSerializerSupplier(() -> Topics.JOBS_IN.valueSerde().serializer());
        factory.updateConfigs(ProducerTimeouts.of(produceTimeout, lingerMs(factory.getConfigurationProperties())));
    }

    private static long lingerMs(Map<String, Object> configs) {
        Object linger = configs.get(ProducerConfig.LINGER_MS_CONFIG);
        return linger == null ? DEFAULT_LINGER_MS : Long.parseLong(linger.toString().trim());
    }
}
