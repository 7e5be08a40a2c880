package dev.kiwo.api.status;

import dev.kiwo.api.jobs.ProducerTimeouts;
import dev.kiwo.model.JobCancellation;
import dev.kiwo.model.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.springframework.beans.factory.DisposableBean;

/**
 * Records cancellations on {@code jobs.cancellations} with the API's producer settings (acks=all, idempotent).
 * The client gives up within the produce timeout, like the producer of {@code jobs.in}.
 */
final class CancellationPublisher implements DisposableBean {

    private final KafkaProducer<String, JobCancellation> producer;

    CancellationPublisher(Map<String, Object> producerConfigs, Duration produceTimeout) {
        Map<String, Object> configs = new HashMap<>(producerConfigs);
        configs.put(ProducerConfig.CLIENT_ID_CONFIG, "kiwo-api-cancellations");
        configs.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        configs.putAll(ProducerTimeouts.of(produceTimeout, 0));
        this.producer = new KafkaProducer<>(configs, Topics.JOBS_CANCELLATIONS.keySerde().serializer(),
                Topics.JOBS_CANCELLATIONS.valueSerde().serializer());
    }

    CompletableFuture<RecordMetadata> publish(JobCancellation cancellation) {
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(Topics.JOBS_CANCELLATIONS.name(), cancellation.jobId(), cancellation),
                    (metadata, error) -> {
                        if (error == null) {
                            sent.complete(metadata);
                        } else {
                            sent.completeExceptionally(error);
                        }
                    });
        } catch (RuntimeException e) {
            sent.completeExceptionally(e);
        }
        return sent;
    }

    @Override
    public void destroy() {
        producer.close(Duration.ofSeconds(5));
    }
}
