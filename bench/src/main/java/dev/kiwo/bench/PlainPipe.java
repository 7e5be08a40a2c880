package dev.kiwo.bench;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The reference for the classifier: a consume→produce loop with plain kafka-clients that reads jobs.in, applies
 * the same rule and writes the same ClassifiedJob to the same topics (acks=all, at-least-once commits after each
 * poll's sends), keeping the input timestamp as the topology does.
 */
final class PlainPipe implements AutoCloseable {

    private final KafkaConsumer<String, Job> consumer;
    private final KafkaProducer<String, ClassifiedJob> producer;
    private final Thread thread;
    private volatile boolean running = true;

    PlainPipe(Properties client, String groupId) {
        Properties c = new Properties();
        c.putAll(client);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // The classic protocol with cooperative rebalancing, as the worker pools' consumers use.
        c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, GroupProtocol.CLASSIC.name().toLowerCase(Locale.ROOT));
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        consumer = new KafkaConsumer<>(c, Topics.JOBS_IN.keySerde().deserializer(),
                Topics.JOBS_IN.valueSerde().deserializer());
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, Topics.JOBS_LIGHT.keySerde().serializer(),
                Topics.JOBS_LIGHT.valueSerde().serializer());
        thread = new Thread(this::loop, "bench-pipe");
    }

    void start() {
        thread.start();
    }

    private void loop() {
        consumer.subscribe(List.of(Topics.JOBS_IN.name()));
        while (running) {
            var records = consumer.poll(Duration.ofMillis(100));
            for (ConsumerRecord<String, Job> r : records) {
                ClassifiedJob out = ClassifierExperiment.classified(r.value());
                producer.send(new ProducerRecord<>(Topics.forClass(out.jobClass()).name(), null, r.timestamp(),
                        r.key(), out));
            }
            if (!records.isEmpty()) {
                producer.flush();
                consumer.commitAsync();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
        consumer.close();
        producer.close();
    }
}
