package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class RoutingLogPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(RoutingLogProperties.class)
    static class Bound {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Bound.class);

    @Test
    void bindsAnIntervalAndZeroAsOff() {
        runner.withPropertyValues("kiwo.classifier.routing-log.interval=10s").run(context ->
                assertThat(context.getBean(RoutingLogProperties.class).interval()).isEqualTo(Duration.ofSeconds(10)));
        runner.withPropertyValues("kiwo.classifier.routing-log.interval=0").run(context ->
                assertThat(context.getBean(RoutingLogProperties.class).interval()).isZero());
    }

    @Test
    void rejectsAMissingOrSubSecondInterval() {
        runner.run(context -> assertThat(context).getFailure().rootCause()
                .hasMessage("kiwo.classifier.routing-log.interval is required (0 turns the routing log off)"));
        runner.withPropertyValues("kiwo.classifier.routing-log.interval=500ms").run(context ->
                assertThat(context).getFailure().rootCause()
                        .hasMessage("kiwo.classifier.routing-log.interval must be 0 (off) or at least 1s, was PT0.5S"));
    }
}
