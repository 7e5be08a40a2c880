package dev.kiwo.worker;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.listener.RecordInterceptor;

/** The smallest application that runs the worker, as a pool application does. */
@SpringBootApplication
class WorkerTestApplication {

    /** Jobs whose next result transaction is to fail after the result is sent, as a crash there would. */
    static final Set<String> CRASH_BEFORE_COMMIT = ConcurrentHashMap.newKeySet();

    /**
     * Jobs whose consumer is woken up ({@code Consumer.wakeup()}) just before the listener gets them, as a retry
     * partition resumed by Spring's back-off while the consumer thread is no longer polling would: the wakeup
     * stays pending and aborts the consumer's next blocking call.
     */
    static final Set<String> WAKE_UP_CONSUMER = ConcurrentHashMap.newKeySet();

    /** The first failure the container reported for each job, by jobId. */
    static final Map<String, Exception> FIRST_FAILURE = new ConcurrentHashMap<>();

    @Bean
    RecordInterceptor<Object, Object> wakeUpConsumer() {
        return new RecordInterceptor<>() {

            @Override
            public ConsumerRecord<Object, Object> intercept(ConsumerRecord<Object, Object> record,
                                                            Consumer<Object, Object> consumer) {
                if (record.key() instanceof String jobId && WAKE_UP_CONSUMER.remove(jobId)) {
                    consumer.wakeup();
                }
                return record;
            }

            @Override
            public void failure(ConsumerRecord<Object, Object> record, Exception exception,
                                Consumer<Object, Object> consumer) {
                if (record.key() instanceof String jobId) {
                    FIRST_FAILURE.putIfAbsent(jobId, exception);
                }
            }
        };
    }

    @Bean
    ResultPublisher.BeforeResultCommit crashBeforeCommit() {
        return result -> {
            if (CRASH_BEFORE_COMMIT.remove(result.jobId())) {
                throw new IllegalStateException("Simulated crash before the result of job " + result.jobId()
                        + " was committed");
            }
        };
    }
}
