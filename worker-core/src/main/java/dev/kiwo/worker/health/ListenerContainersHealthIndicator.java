package dev.kiwo.worker.health;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Liveness of the worker's listener containers, the job listener's and its retry topics': down when one that
 * should run has stopped, or one of its consumers stopped abnormally (Spring Kafka's
 * {@code isInExpectedState()}: a consumer thread that died on a fatal error leaves its container in place but
 * consuming nothing). A restart is the only way out of either. A paused partition is not stuck: the retry topics
 * pause a partition until its next record is due, so pauses are reported but never make this down. Containers
 * that do not start on their own (the dead-letter topic's) and any state while the registry starts or stops are
 * not judged.
 */
public final class ListenerContainersHealthIndicator implements HealthIndicator {

    private final KafkaListenerEndpointRegistry registry;

    public ListenerContainersHealthIndicator(KafkaListenerEndpointRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Health health() {
        if (!registry.isRunning()) {
            return Health.up().withDetail("registry", "not running (starting or stopping)").build();
        }
        Map<String, Object> containers = new TreeMap<>();
        boolean stuck = false;
        for (MessageListenerContainer container : registry.getListenerContainers()) {
            ContainerState state = ContainerState.of(container);
            containers.put(container.getListenerId(), state);
            stuck |= state.stuck();
        }
        return (stuck ? Health.down() : Health.up()).withDetail("containers", containers).build();
    }

    /**
     * One container as the health details show it.
     *
     * @param state            RUNNING, PAUSED, STOPPED (should run but does not), FAILED (a consumer stopped
     *                         abnormally) or NOT_STARTED (does not start on its own)
     * @param consumers        consumer threads running, of those the container has
     * @param pausedPartitions assigned partitions currently paused, e.g. by a retry topic's back-off
     * @param stuck            whether this container makes liveness fail
     */
    record ContainerState(String state, String consumers, int pausedPartitions, boolean stuck) {

        static ContainerState of(MessageListenerContainer container) {
            List<? extends MessageListenerContainer> children =
                    container instanceof ConcurrentMessageListenerContainer<?, ?> concurrent
                            ? concurrent.getContainers()
                            : List.of(container);
            long running = children.stream().filter(MessageListenerContainer::isRunning).count();
            Collection<TopicPartition> assigned = container.getAssignedPartitions();
            int paused = assigned == null ? 0 : (int) assigned.stream().filter(container::isPartitionPaused).count();
            String consumers = running + "/" + children.size();
            if (!container.isAutoStartup() && !container.isRunning()) {
                return new ContainerState("NOT_STARTED", consumers, paused, false);
            }
            if (!container.isInExpectedState() || container.isRunning() && running < children.size()) {
                return new ContainerState("FAILED", consumers, paused, true);
            }
            if (!container.isRunning()) {
                return new ContainerState("STOPPED", consumers, paused, true);
            }
            return new ContainerState(container.isContainerPaused() ? "PAUSED" : "RUNNING", consumers, paused, false);
        }
    }
}
