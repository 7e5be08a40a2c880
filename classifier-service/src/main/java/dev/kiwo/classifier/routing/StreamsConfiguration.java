package dev.kiwo.classifier.routing;

import dev.kiwo.classifier.decision.JobClassifier;
import dev.kiwo.model.Job;
import dev.kiwo.model.TopicLayout;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Runs {@link RoutingTopology} in the Streams client that Spring manages. Streams settings come from
 * {@code spring.kafka.streams.*}; only the error handling the topology depends on is fixed here.
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
@EnableScheduling
@EnableConfigurationProperties({DedupeProperties.class, RoutingLogProperties.class})
class StreamsConfiguration {

    /**
     * Created by KafkaAdmin when the singletons are ready, which is before the Streams client starts in the
     * lifecycle phase, so the source topic exists by the time Streams subscribes to it.
     */
    @Bean
    KafkaAdmin.NewTopics kiwoTopics(Environment environment) {
        TopicLayout layout = Binder.get(environment).bind("kiwo.topics", TopicLayout.class)
                .orElse(TopicLayout.DEFAULTS);
        return new KafkaAdmin.NewTopics(layout.newTopics().toArray(NewTopic[]::new));
    }

    @Bean
    StreamsBuilderFactoryBeanConfigurer routingErrorHandling() {
        return factory -> {
            Properties properties = factory.getStreamsConfiguration();
            properties.putAll(RoutingTopology.ERROR_HANDLING);
            factory.setStreamsConfiguration(properties);
            // hand partitions over at once on shutdown instead of after the session timeout
            factory.setLeaveGroupOnClose(true);
        };
    }

    @Bean
    DecisionRecorder decisionRecorder(MeterRegistry registry) {
        return new DecisionRecorder(registry);
    }

    @Bean
    KStream<String, Job> routing(StreamsBuilder builder, JobClassifier classifier, DecisionRecorder recorder,
            DedupeProperties dedupe) {
        return RoutingTopology.addTo(builder, classifier, Clock.systemUTC(), recorder, dedupe.retention());
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

    @Bean
    KafkaStreamsHealthIndicator kafkaStreamsHealthIndicator(StreamsBuilderFactoryBean factory) {
        return new KafkaStreamsHealthIndicator(factory);
    }
}
