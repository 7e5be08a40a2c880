package dev.kiwo.classifier.routing;

import dev.kiwo.model.RoutingConfig;
import dev.kiwo.model.Topics;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing configuration every stream thread decides with: a global store fed by {@code jobs.routing}, so each
 * instance holds the latest valid record and a change applies to the next job. Only a record that reads as a valid
 * {@link RoutingConfig} under {@link RoutingConfig#KEY}, with a version at least the current one, replaces it (of
 * two records of one version the later, as compaction keeps); anything
 * else is logged at WARN and the current configuration stays whole. The store is rebuilt from the topic at every
 * start through the same checks, so a restart comes back to the same configuration.
 */
final class LiveRoutingConfig {

    static final String STORE = "routing-config";

    private static final Logger LOG = LoggerFactory.getLogger(LiveRoutingConfig.class);

    private final RoutingConfig seed;
    /**
     * The configuration in force, set by the global thread; read by every stream thread per record, so held here as
     * the object itself: reading the store would deserialize it for every job.
     */
    private volatile RoutingConfig current;

    /** {@code seed} is the configuration to decide with while jobs.routing holds none. */
    LiveRoutingConfig(RoutingConfig seed) {
        this.seed = seed;
    }

    /** Adds the global store; the value bytes are read here, not by the source, so a bad record cannot stop it. */
    void addTo(StreamsBuilder builder) {
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(),
                        Topics.JOBS_ROUTING.valueSerde()).withLoggingDisabled(),
                Topics.JOBS_ROUTING.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("jobs-routing"),
                () -> new Apply(this));
    }

    /** The configuration to decide with: the latest valid one read, or the seed while {@code jobs.routing} holds none. */
    RoutingConfig current() {
        RoutingConfig config = current;
        return config == null ? seed : config;
    }

    private static final class Apply implements Processor<String, byte[], Void, Void> {

        private final Deserializer<RoutingConfig> deserializer = Topics.JOBS_ROUTING.valueSerde().deserializer();
        private final LiveRoutingConfig live;
        private KeyValueStore<String, RoutingConfig> store;

        Apply(LiveRoutingConfig live) {
            this.live = live;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(STORE);
            RoutingConfig restored = store.get(RoutingConfig.KEY);
            if (restored != null && (live.current == null || restored.version() >= live.current.version())) {
                live.current = restored;
            }
        }

        @Override
        public void process(Record<String, byte[]> record) {
            RoutingConfig current = live.current;
            String keeping = current == null ? "the seed stays" : "version " + current.version() + " stays";
            if (!RoutingConfig.KEY.equals(record.key())) {
                LOG.warn("Ignored a routing configuration under key {}: only key {} is read; {}", record.key(),
                        RoutingConfig.KEY, keeping);
                return;
            }
            if (record.value() == null) {
                LOG.warn("Ignored a tombstone on {}: the routing configuration cannot be deleted; {}",
                        Topics.JOBS_ROUTING.name(), keeping);
                return;
            }
            RoutingConfig next;
            try {
                next = deserializer.deserialize(Topics.JOBS_ROUTING.name(), record.value());
            } catch (SerializationException e) {
                LOG.warn("Ignored an invalid routing configuration: {}; {}", e.getMessage(), keeping);
                return;
            }
            if (current != null && next.version() < current.version()) {
                LOG.warn("Ignored routing configuration version {}: below the current version; {}", next.version(),
                        keeping);
                return;
            }
            if (current != null && next.equals(current)) {
                return;
            }
            // The same version again is the seed written by two instances at once, or two changes that raced: the
            // later record wins, as compaction keeps the later one, so a restarted instance agrees with running ones.
            store.put(RoutingConfig.KEY, next);
            live.current = next;
            LOG.info("Routing configuration version {} applies from the next job: fileSizeMb={} pageCount={} "
                            + "imageCount={} mode={} modelBudgetMs={} changedBy={} changedAt={}", next.version(),
                    next.fileSizeMb(), next.pageCount(), next.imageCount(), next.mode(), next.modelBudgetMs(),
                    next.changedBy(), next.changedAt());
        }
    }
}
