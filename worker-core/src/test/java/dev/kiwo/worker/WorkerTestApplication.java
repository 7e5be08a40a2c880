package dev.kiwo.worker;

import dev.kiwo.worker.results.ResultPublisher;
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
     * Jobs whose consumer is woken up ({@code Consumer.wakeup()}) once their result is sent, inside the result's
     * transaction, as a retry partition resumed by Spring's back-off while the consumer thread is not polling
     * would: the wakeup stays pending and aborts the consumer's next blocking call, the container's commit.
     */
    static final Set<String> WAKE_UP_CONSUMER = ConcurrentHashMap.newKeySet();

    /** The first failure the container reported for each job, by jobId. */
    static final Map<String, Exception> FIRST_FAILURE = new ConcurrentHashMap<>();

    /** The consumer of the record the listener runs on this thread, for the hook below. */
    private static final ThreadLocal<Consumer<?, ?>> CONSUMER = new ThreadLocal<>();

    @Bean
    RecordInterceptor<Object, Object> recordFailures() {
        return new RecordInterceptor<>() {

            @Override
            public ConsumerRecord<Object, Object> intercept(ConsumerRecord<Object, Object> record,
                                                            Consumer<Object, Object> consumer) {
                CONSUMER.set(consumer);
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
    ResultPublisher.BeforeResultCommit beforeResultCommit() {
        return result -> {
            if (WAKE_UP_CONSUMER.remove(result.jobId())) {
                CONSUMER.get().wakeup();
            }
            if (CRASH_BEFORE_COMMIT.remove(result.jobId())) {
                throw new IllegalStateException("Simulated crash before the result of job " + result.jobId()
                        + " was committed");
            }
        };
    }
}
