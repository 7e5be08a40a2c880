package dev.kiwo.classifier.routing;

import dev.kiwo.classifier.model.CostModel;
import dev.kiwo.classifier.model.CostModelSettings;
import dev.kiwo.classifier.model.CostModelState;
import dev.kiwo.classifier.model.CostSample;
import dev.kiwo.classifier.model.SharedCostModel;
import dev.kiwo.kafka.AtMostOncePer;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.JsonSerde;
import dev.kiwo.model.Topics;
import java.time.Duration;
import java.util.Locale;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns the cost model from the workers' results, in every decision mode:
 * <ol>
 *   <li>jobs.results -> the succeeded job's sizes, looked up in the routed-jobs store on the same jobId partition
 *   (both topics are keyed by jobId with the same partition count) -> a {@link CostSample};</li>
 *   <li>-> one partition, so a single learner sees every sample and there is one model -> the learner, whose state
 *   store (cached, so written to its changelog once per commit, in the same transaction as the input offsets) keeps
 *   every sample learned across restarts;</li>
 *   <li>-> every publish interval, when it learned something, the model's state to the compacted
 *   {@code jobs.routing.model};</li>
 *   <li>-> on every instance, a global store of that topic replaces the {@link SharedCostModel} the stream threads
 *   predict with. A record that is not a valid state is logged and ignored: the model in use stays.</li>
 * </ol>
 * Results are read as bytes and decoded here: a result this instance cannot read is skipped with a warning, not
 * dead-lettered, because jobs.dlq is for jobs and the result itself was delivered to its readers.
 */
final class CostLearning {

    /** The one key of {@code jobs.routing.model} and of the learner's store. */
    static final String MODEL_KEY = "cost-model";
    static final String LEARNER_STORE = "cost-model-learner";
    static final String PUBLISHED_STORE = "cost-model-published";
    /** The repartition topic is {application.id}-cost-samples-repartition. */
    static final String SAMPLES = "cost-samples";

    static final Serde<CostModelState> STATE_SERDE = new JsonSerde<>(CostModelState.class);
    private static final Serde<CostSample> SAMPLE_SERDE = new JsonSerde<>(CostSample.class);
    private static final Logger LOG = LoggerFactory.getLogger(CostLearning.class);

    private CostLearning() {
    }

    /** Adds learning to a builder that already has {@link RoutingTopology}'s routed-jobs store. */
    static void addTo(StreamsBuilder builder, SharedCostModel shared, Duration dedupeRetention,
                      Duration publishInterval) {
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PUBLISHED_STORE),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
                Topics.JOBS_ROUTING_MODEL.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("jobs-routing-model"),
                () -> new ApplyPublished(shared));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LEARNER_STORE),
                Serdes.String(), STATE_SERDE).withCachingEnabled());
        // From the end when the group has no offset yet (a new deployment, or an upgrade that adds learning):
        // routing would otherwise wait behind the whole history of results, which the 24 h store cannot match.
        builder.stream(Topics.JOBS_RESULTS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("jobs-results").withOffsetResetPolicy(AutoOffsetReset.latest()))
                .processValues(() -> new LookUpSizes(dedupeRetention), Named.as("look-up-sizes"),
                        RoutingTopology.ROUTED_JOBS_STORE)
                .selectKey((jobId, sample) -> MODEL_KEY, Named.as("one-model"))
                .repartition(Repartitioned.with(Serdes.String(), SAMPLE_SERDE).withName(SAMPLES)
                        .withNumberOfPartitions(1))
                .process(() -> new Learn(shared.settings(), publishInterval), Named.as("learn"), LEARNER_STORE)
                .to(Topics.JOBS_ROUTING_MODEL.name(), Produced.with(Serdes.String(), Serdes.ByteArray())
                        .withName("publish-model"));
    }

    /** A succeeded result -> the routed job's sizes and its measured time. */
    private static final class LookUpSizes implements FixedKeyProcessor<String, byte[], CostSample> {

        private final Deserializer<JobResult> deserializer = Topics.JOBS_RESULTS.valueSerde().deserializer();
        private final long retentionMs;
        private final AtMostOncePer warning = new AtMostOncePer(Duration.ofMinutes(1));
        private FixedKeyProcessorContext<String, CostSample> context;
        private WindowStore<String, String> routed;

        LookUpSizes(Duration retention) {
            this.retentionMs = retention.toMillis();
        }

        @Override
        public void init(FixedKeyProcessorContext<String, CostSample> context) {
            this.context = context;
            this.routed = context.getStateStore(RoutingTopology.ROUTED_JOBS_STORE);
        }

        @Override
        public void process(FixedKeyRecord<String, byte[]> record) {
            if (record.key() == null || record.value() == null) {
                return;
            }
            JobResult result;
            try {
                result = deserializer.deserialize(Topics.JOBS_RESULTS.name(), record.value());
            } catch (SerializationException e) {
                warnAtMostOncePerMinute(record.key(), e);
                return;
            }
            // A failed or cancelled job's time says nothing about what it costs.
            if (result.status() != JobStatus.SUCCEEDED) {
                return;
            }
            String routedJob = RoutedJobs.find(routed, record.key(), record.timestamp(), retentionMs);
            CostSample sample = routedJob == null ? null : RoutedJobs.sample(routedJob, CostModel.cost(result));
            if (sample != null) {
                context.forward(record.withValue(sample));
            }
        }

        private void warnAtMostOncePerMinute(String jobId, SerializationException e) {
            if (warning.due()) {
                LOG.warn("Skipped a result the cost model cannot read (job {}): {}; further ones within a minute are "
                        + "skipped silently", jobId, e.getMessage());
            }
        }
    }

    /** The single learner: learns every sample, publishes the model every interval when it has changed. */
    private static final class Learn implements Processor<String, CostSample, String, byte[]> {

        private final Serializer<CostModelState> serializer = STATE_SERDE.serializer();
        private final CostModelSettings settings;
        private final Duration publishInterval;
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, CostModelState> store;
        private CostModel model;
        private boolean changed;

        Learn(CostModelSettings settings, Duration publishInterval) {
            this.settings = settings;
            this.publishInterval = publishInterval;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(LEARNER_STORE);
            CostModelState saved = store.get(MODEL_KEY);
            model = new CostModel(settings);
            if (saved != null) {
                try {
                    model = CostModel.fromState(settings, saved);
                } catch (IllegalArgumentException e) {
                    LOG.warn("The learner's saved cost model cannot be restored ({}); learning starts again",
                            e.getMessage());
                }
            }
            // Publish what was restored too: the topic then holds it even if an earlier publish was lost.
            changed = model.samples() > 0;
            context.schedule(publishInterval, PunctuationType.WALL_CLOCK_TIME, this::publish);
        }

        @Override
        public void process(Record<String, CostSample> record) {
            CostSample sample = record.value();
            if (sample != null && model.observe(sample.fileSizeMb(), sample.pageCount(), sample.imageCount(),
                    sample.costMs()).isEmpty()) {
                changed = true;
            }
        }

        /**
         * Saves and publishes the state once per interval in which it learned, not per result: encoding it costs
         * far more than a learning step. A crash loses at most the results of the last interval.
         */
        private void publish(long timestamp) {
            if (changed) {
                CostModelState state = model.state();
                store.put(MODEL_KEY, state);
                context.forward(new Record<>(MODEL_KEY,
                        serializer.serialize(Topics.JOBS_ROUTING_MODEL.name(), state), timestamp));
                changed = false;
            }
        }
    }

    /** On every instance: a valid published state replaces the shared model; anything else is logged and ignored. */
    private static final class ApplyPublished implements Processor<String, byte[], Void, Void> {

        private final Deserializer<CostModelState> deserializer = STATE_SERDE.deserializer();
        private final SharedCostModel shared;
        private KeyValueStore<String, byte[]> store;

        ApplyPublished(SharedCostModel shared) {
            this.shared = shared;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(PUBLISHED_STORE);
            byte[] restored = store.get(MODEL_KEY);
            if (restored != null) {
                apply(restored);
            }
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (!MODEL_KEY.equals(record.key()) || record.value() == null) {
                LOG.warn("Ignored a record on {} with key {}{}: only the state under key {} is read; the model in "
                                + "use stays", Topics.JOBS_ROUTING_MODEL.name(), record.key(),
                        record.value() == null ? " and no value" : "", MODEL_KEY);
                return;
            }
            if (apply(record.value())) {
                store.put(MODEL_KEY, record.value());
            }
        }

        private boolean apply(byte[] value) {
            long trustedFrom = shared.settings().minSamples();
            boolean trustedBefore = shared.current().samples() >= trustedFrom;
            CostModel model;
            try {
                model = shared.replace(deserializer.deserialize(Topics.JOBS_ROUTING_MODEL.name(), value));
            } catch (RuntimeException e) {
                // A global store's processor has no exception handler: whatever it throws stops the client, and on
                // every restart again, as the record is read back. So nothing a record holds may escape here.
                LOG.warn("Ignored a cost model state on {} that cannot be used: {}; the model in use stays",
                        Topics.JOBS_ROUTING_MODEL.name(), e.toString());
                return false;
            }
            if (!trustedBefore && model.samples() >= trustedFrom) {
                double[] c = model.coefficients();
                LOG.info("Cost model trusted: learned from {} results, cost ms = {} + {} per MB + {} per page + {} per "
                                + "image, recent relative error {}", model.samples(), rounded(c[0]), rounded(c[1]),
                        rounded(c[2]), rounded(c[3]), rounded(model.recentRelativeError()));
            } else {
                LOG.debug("Cost model replaced: {} results learned", model.samples());
            }
            return true;
        }

        private static String rounded(double value) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
    }
}
