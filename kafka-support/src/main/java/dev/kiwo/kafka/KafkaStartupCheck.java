package dev.kiwo.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Before any listener or stream starts, connects to Kafka as the service will and checks kiwo's topics: when
 * {@code kiwo.topics.manage} is true it creates the missing ones with their declared partitions and configs;
 * in both modes a missing topic, or one whose partition count differs from the declared one, fails start-up
 * with a message naming it. Partitions are never added: that would move jobIds to other partitions while
 * their earlier records stay where they were. A rejected login, a failed TLS handshake or no answer in time
 * fails start-up too, with one line naming the bootstrap servers, protocol, mechanism and user.
 */
public class KafkaStartupCheck implements SmartInitializingSingleton {

    private static final Log LOG = LogFactory.getLog(KafkaStartupCheck.class);

    private final Map<String, Object> adminConfig;
    private final Supplier<Collection<NewTopic>> declared;
    private final boolean manage;
    private final Duration timeout;
    private final KafkaConnection connection;

    /**
     * @param adminConfig the admin client configuration the service's Kafka settings give
     * @param declared    the topics the service declares, read when the check runs
     * @param manage      whether missing topics are created
     * @param timeout     how long to wait for each answer from Kafka
     */
    public KafkaStartupCheck(Map<String, Object> adminConfig, Supplier<Collection<NewTopic>> declared, boolean manage,
            Duration timeout) {
        this.adminConfig = new HashMap<>(adminConfig);
        this.adminConfig.put(CommonClientConfigs.CLIENT_ID_CONFIG, "kiwo-startup-check");
        this.declared = declared;
        this.manage = manage;
        this.timeout = timeout;
        this.connection = KafkaConnection.of(adminConfig);
    }

    @Override
    public void afterSingletonsInstantiated() {
        run();
    }

    /** Runs the check; throws {@link KafkaStartupException} when start-up must not go on. */
    public void run() {
        Map<String, NewTopic> topics = byName(declared.get());
        try (Admin admin = Admin.create(adminConfig)) {
            Map<String, TopicDescription> found = describe(admin, topics.keySet());
            List<NewTopic> missing = topics.values().stream().filter(t -> !found.containsKey(t.name())).toList();
            if (!missing.isEmpty() && !manage) {
                throw new KafkaStartupException("Kafka topics missing at " + connection + ": " + summary(missing)
                        + "; kiwo.topics.manage=false leaves creating them to the cluster's owner",
                        "Declare the topics (for example as Strimzi KafkaTopic resources) with the partitions and "
                                + "configs of kiwo's topic layout (kiwo.topics.*), or set kiwo.topics.manage=true to "
                                + "let the services create them.", null);
            }
            if (!missing.isEmpty()) {
                create(admin, missing);
                // Another service may have created some meanwhile, with a layout of its own: check what is there.
                found.putAll(describeCreated(admin, missing.stream().map(NewTopic::name).toList()));
            }
            checkPartitions(topics, found);
            LOG.info("Kafka topics checked at " + connection + ": " + topics.size() + " topics with the declared "
                    + "partitions" + (missing.isEmpty() ? "" : ", created " + summary(missing))
                    + " (kiwo.topics.manage=" + manage + ")");
        }
    }

    private Map<String, TopicDescription> describe(Admin admin, Collection<String> names) {
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(names,
                new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis())).topicNameValues();
        Map<String, TopicDescription> found = new LinkedHashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> future : futures.entrySet()) {
            try {
                found.put(future.getKey(), await(future.getValue()));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failure(e.getCause(), "describing topic " + future.getKey());
                }
            }
        }
        return found;
    }

    /** A topic just created may not be in the broker's metadata yet: describe again until it is, within the timeout. */
    private Map<String, TopicDescription> describeCreated(Admin admin, List<String> names) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, TopicDescription> found = describe(admin, names);
        while (found.size() < names.size() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaStartupException("Interrupted while checking Kafka at " + connection, "None.", e);
            }
            found = describe(admin, names);
        }
        if (found.size() < names.size()) {
            Set<String> described = found.keySet();
            List<String> absent = names.stream().filter(name -> !described.contains(name)).toList();
            throw new KafkaStartupException("Kafka topics created at " + connection + " but not described within "
                    + timeout + ": " + String.join(", ", absent),
                    "Check the broker's health and kiwo.topics.check-timeout.", null);
        }
        return found;
    }

    private void create(Admin admin, List<NewTopic> missing) {
        Map<String, KafkaFuture<Void>> futures = admin.createTopics(missing,
                new CreateTopicsOptions().timeoutMs((int) timeout.toMillis())).values();
        for (NewTopic topic : missing) {
            try {
                await(futures.get(topic.name()));
                LOG.info("Created Kafka topic " + topic.name() + " with " + topic.numPartitions() + " partitions, "
                        + "replication factor " + topic.replicationFactor() + " and configs " + topic.configs());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw failure(e.getCause(), "creating topic " + topic.name());
                }
            }
        }
    }

    private void checkPartitions(Map<String, NewTopic> topics, Map<String, TopicDescription> found) {
        List<String> differing = new ArrayList<>();
        for (NewTopic topic : topics.values()) {
            TopicDescription description = found.get(topic.name());
            int partitions = description.partitions().size();
            if (partitions != topic.numPartitions()) {
                differing.add("topic " + topic.name() + " has " + partitions + " partitions, the layout declares "
                        + topic.numPartitions());
            }
            int replicas = description.partitions().get(0).replicas().size();
            if (replicas != topic.replicationFactor()) {
                LOG.warn("Kafka topic " + topic.name() + " has " + replicas + " replicas, the layout declares "
                        + topic.replicationFactor() + " (kiwo.topics.replication-factor); kiwo leaves it as it is");
            }
        }
        if (!differing.isEmpty()) {
            throw new KafkaStartupException("Kafka " + String.join("; ", differing) + " at " + connection
                    + ": kiwo never changes a topic's partition count, as adding partitions moves jobIds to other "
                    + "partitions",
                    "Set the layout (kiwo.topics.partitions, light-partitions, heavy-partitions, dlq-partitions) to "
                            + "the topic's partition count, or recreate the topic with the declared count once it is "
                            + "drained.", null);
        }
    }

    private <T> T await(KafkaFuture<T> future) throws ExecutionException {
        try {
            // The admin call times out on its own after the timeout; this bound only guards against a hang.
            return future.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaStartupException("Interrupted while checking Kafka at " + connection, "None.", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw failure(e, "waiting for an answer");
        }
    }

    private KafkaStartupException failure(Throwable cause, String doing) {
        String reason = oneLine(cause.getMessage());
        if (cause instanceof SaslAuthenticationException) {
            return new KafkaStartupException("Kafka rejected the login at " + connection + ": " + reason,
                    "Check the user name and password (the Secret that sasl.jaas.config is built from), that the user "
                            + "exists on the cluster with this mechanism (a KafkaUser on Strimzi), and that "
                            + "sasl.mechanism is one the listener enables.", cause);
        }
        if (cause instanceof SslAuthenticationException) {
            return new KafkaStartupException("TLS handshake with Kafka failed at " + connection + ": " + reason,
                    "Check that the truststore (spring.kafka.ssl.trust-store-location and trust-store-type) holds "
                            + "the CA that signed the brokers' certificates, that the bootstrap host names are in "
                            + "those certificates, and that the port is the cluster's TLS listener.", cause);
        }
        if (cause instanceof AuthenticationException) {
            return new KafkaStartupException("Kafka authentication failed at " + connection + ": " + reason,
                    "Check spring.kafka.security.protocol, sasl.mechanism and the credentials against the listener "
                            + "at this port.", cause);
        }
        if (cause instanceof AuthorizationException) {
            return new KafkaStartupException("Kafka denied " + doing + " at " + connection + ": " + reason,
                    "Grant the user the ACLs kiwo needs (docs/kubernetes.md): Describe, Read and Write on kiwo's "
                            + "topics, and Create as well with kiwo.topics.manage=true.", cause);
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException
                || cause instanceof java.util.concurrent.TimeoutException) {
            return new KafkaStartupException("Kafka did not answer within " + seconds(timeout) + " at " + connection
                    + " while " + doing,
                    "Check that the bootstrap servers are reachable from here and that security.protocol is the one "
                            + "of the listener at that port: a TLS client on a plaintext port, or the reverse, waits "
                            + "until this timeout" + (connection.usesTls() ? "." : " (the connection is not TLS).")
                            + " kiwo.topics.check-timeout sets how long to wait.", cause);
        }
        return new KafkaStartupException("Kafka start-up check failed at " + connection + " while " + doing + ": "
                + cause.getClass().getSimpleName() + ": " + reason, "See the cause below.", cause);
    }

    private static Map<String, NewTopic> byName(Collection<NewTopic> topics) {
        Map<String, NewTopic> byName = new LinkedHashMap<>();
        for (NewTopic topic : topics) {
            NewTopic earlier = byName.putIfAbsent(topic.name(), topic);
            if (earlier != null && earlier.numPartitions() != topic.numPartitions()) {
                throw new IllegalStateException("topic " + topic.name() + " is declared twice, with "
                        + earlier.numPartitions() + " and " + topic.numPartitions() + " partitions");
            }
        }
        return byName;
    }

    private static String summary(List<NewTopic> topics) {
        return topics.stream().map(t -> t.name() + " (" + t.numPartitions() + " partitions)")
                .collect(Collectors.joining(", "));
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    private static String oneLine(String text) {
        return text == null ? "(no detail)" : text.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
