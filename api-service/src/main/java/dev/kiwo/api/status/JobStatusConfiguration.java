package dev.kiwo.api.status;

import dev.kiwo.api.ApiProperties;
import dev.kiwo.model.TopicLayout;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/** The status view and what serves from it: pushing changes to clients, timing out waits, heartbeats. */
@Configuration(proxyBeanMethods = false)
class JobStatusConfiguration {

    @Bean
    JobStatusView jobStatusView(KafkaProperties kafka, TopicLayout layout, StatusProperties properties,
                                ThreadPoolTaskExecutor kiwoStatusWriter, MeterRegistry meters) {
        JobStatusView view = new JobStatusView(kafka.buildConsumerProperties(), layout.statusRetention(),
                properties.maxJobs(), properties.catchUpTimeout(), Clock.systemUTC(), kiwoStatusWriter::execute);
        Gauge.builder("kiwo.api.status.jobs", view, JobStatusView::size)
                .description("Jobs the API's status view holds")
                .register(meters);
        for (boolean ended : new boolean[] {true, false}) {
            FunctionCounter.builder("kiwo.api.status.evicted", view, v -> v.evicted(ended))
                    .description("Jobs dropped from the status view over kiwo.api.status.max-jobs before their"
                            + " retention ended")
                    .tag("state", ended ? "ended" : "unfinished")
                    .register(meters);
        }
        Gauge.builder("kiwo.api.status.watchers", view, JobStatusView::watching)
                .description("Waiting requests and event streams following a job")
                .register(meters);
        Gauge.builder("kiwo.api.status.caught.up", view, v -> v.caughtUp() ? 1 : 0)
                .description("1 once the status view has read what its topics held at start-up")
                .register(meters);
        return view;
    }

    @Bean
    CancellationPublisher cancellationPublisher(KafkaProperties kafka, ApiProperties api) {
        return new CancellationPublisher(kafka.buildProducerProperties(), api.produceTimeout());
    }

    /** Writes event streams and completes waits; a slow client's write holds one of these threads. */
    @Bean
    ThreadPoolTaskExecutor kiwoStatusWriter() {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setThreadNamePrefix("kiwo-status-writer-");
        executor.setCorePoolSize(2);
        executor.setMaxPoolSize(16);
        executor.setQueueCapacity(10_000);
        return executor;
    }

    /** Times out waits and sends heartbeats: one timer for all requests, no loop per request. */
    @Bean
    ThreadPoolTaskScheduler kiwoStatusTimer() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setThreadNamePrefix("kiwo-status-timer-");
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    @Bean
    JobStatusService jobStatusService(JobStatusView view, CancellationPublisher cancellations,
                                      StatusProperties properties, ThreadPoolTaskExecutor kiwoStatusWriter,
                                      ThreadPoolTaskScheduler kiwoStatusTimer, ApiProperties api) {
        return new JobStatusService(view, cancellations, properties, kiwoStatusWriter, kiwoStatusTimer,
                api.retryAfter(), Clock.systemUTC());
    }
}
