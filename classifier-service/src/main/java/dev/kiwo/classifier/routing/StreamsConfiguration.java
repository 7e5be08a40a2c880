package dev.kiwo.classifier.routing;

import dev.kiwo.classifier.decision.HeavyJobRule;
import dev.kiwo.classifier.decision.JobClassifier;
import dev.kiwo.classifier.decision.Thresholds;
import dev.kiwo.classifier.model.CostModelProperties;
import dev.kiwo.classifier.model.SharedCostModel;
import dev.kiwo.model.Job;
import dev.kiwo.model.RoutingConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Runs {@link RoutingTopology} in the Streams client that Spring manages. Streams settings come from
 * {@code spring.kafka.streams.*}; only the error handling the topology depends on is fixed here.
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
@EnableScheduling
@EnableConfigurationProperties({DedupeProperties.class, RoutingLogProperties.class, RecordLimitProperties.class,
        StreamThreadProperties.class})
class StreamsConfiguration {

    private static final Duration SEED_TIMEOUT = Duration.ofSeconds(10);

    @Bean
    StreamsBuilderFactoryBeanConfigurer routingErrorHandling(RecordLimitProperties limit,
            StreamThreadProperties streamThreads) {
        return factory -> {
            Properties properties = factory.getStreamsConfiguration();
            properties.putAll(RoutingTopology.ERROR_HANDLING);
            properties.put(RecordLimitProperties.STREAMS_CONFIG, limit.maxRecordBytes());
            factory.setStreamsConfiguration(properties);
            factory.setStreamsUncaughtExceptionHandler(new StreamThreadFailurePolicy(streamThreads.maxReplacements(),
                    streamThreads.window(), Clock.systemUTC()));
            // hand partitions over at once on shutdown instead of after the session timeout
            factory.setLeaveGroupOnClose(true);
        };
    }

    @Bean
    DecisionRecorder decisionRecorder(MeterRegistry registry) {
        return new DecisionRecorder(registry);
    }

    /**
     * Routing, and learning the cost model from the results. The rule decides in {@code rule} mode; {@code model} is
     * the application's {@link JobClassifier} (the learned cost model unless another is declared), asked in
     * {@code shadow} and {@code model} modes.
     */
    @Bean
    KStream<String, Job> routing(StreamsBuilder builder, JobClassifier model, SharedCostModel sharedCostModel,
            CostModelProperties costModel, DecisionRecorder recorder, DedupeProperties dedupe,
            RecordLimitProperties limit, Thresholds thresholds, MeterRegistry registry) {
        ModeSwitch classifier = new ModeSwitch(new HeavyJobRule(thresholds), model, recorder, registry);
        KStream<String, Job> jobs = RoutingTopology.addTo(builder, classifier, seed(thresholds), Clock.systemUTC(),
                recorder, dedupe.retention(), limit.maxRecordBytes());
        CostLearning.addTo(builder, sharedCostModel, dedupe.retention(), costModel.publishInterval());
        return jobs;
    }

    @Bean
    RoutingConfigSeeder routingConfigSeeder(KafkaProperties kafka, Thresholds thresholds) {
        return new RoutingConfigSeeder(new RoutingConfigTopic(kafka.buildAdminProperties(), SEED_TIMEOUT),
                seed(thresholds));
    }

    /** Version 1 of the routing configuration: the thresholds of application.yaml, in rule mode. */
    private static RoutingConfig seed(Thresholds thresholds) {
        return RoutingConfig.seed(thresholds.fileSizeMb(), thresholds.pageCount(), thresholds.imageCount(),
                Instant.now());
    }

    /** A SchedulingConfigurer: {@code @EnableScheduling} runs it every interval on Spring's task scheduler. */
    @Bean
    RoutingLog routingLog(DecisionRecorder recorder, RoutingLogProperties routingLog,
            StreamsBuilderFactoryBean factory) {
        return new RoutingLog(recorder, routingLog.interval(), () -> {
            KafkaStreams streams = factory.getKafkaStreams();
            return streams == null ? Map.of() : streams.metrics();
        });
    }

    /** Readiness: {@code kafkaStreams} in management.endpoint.health.group.readiness. */
    @Bean
    KafkaStreamsHealthIndicator kafkaStreamsHealthIndicator(StreamsBuilderFactoryBean factory) {
        return new KafkaStreamsHealthIndicator(factory);
    }

    /** Liveness: {@code kafkaStreamsLiveness} in management.endpoint.health.group.liveness. */
    @Bean
    KafkaStreamsLivenessIndicator kafkaStreamsLivenessHealthIndicator(StreamsBuilderFactoryBean factory) {
        return new KafkaStreamsLivenessIndicator(factory);
    }
}
