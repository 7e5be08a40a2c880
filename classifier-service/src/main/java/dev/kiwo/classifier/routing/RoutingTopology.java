package dev.kiwo.classifier.routing;

import dev.kiwo.classifier.decision.Classification;
import dev.kiwo.classifier.decision.JobClassifier;
import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobStatus;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.RoutingConfig;
import dev.kiwo.model.Topic;
import dev.kiwo.model.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.MDC;

/**
 * jobs.in -> check the record -> drop a jobId already routed -> classify with the live routing configuration ->
 * check the routed record's size -> jobs.heavy or jobs.light, and a QUEUED event to jobs.status. The routing
 * configuration comes from jobs.routing through {@link LiveRoutingConfig}; the routed record carries its version in
 * {@link KiwoHeaders#ROUTING_CONFIG_VERSION}. Built by plain methods so the application and the
 * TopologyTestDriver tests run the very same topology. Headers travel with each record, so the correlation id
 * reaches both outputs without being touched here.
 */
final class RoutingTopology {

    /**
     * Streams settings the topology relies on: a record that cannot be read or is rejected goes, as its
     * original bytes (cut to the record limit if need be), to the dead-letter topic with {@code __streams.errors.*}
     * and kiwo's reason headers, and processing continues.
     */
    static final Map<String, Object> ERROR_HANDLING = Map.of(
            StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
            DeadLetterDeserializationExceptionHandler.class,
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingExceptionHandler.class,
            StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionExceptionHandler.class,
            StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.JOBS_DLQ.name());

    /**
     * jobId -> class it was routed to and its sizes ({@link RoutedJobs}), kept for the dedupe retention. A window store, keyed by the record time of
     * the first routing, because it expires whole segments as stream time passes: the store stays bounded without a
     * scan. Its changelog is written in the same transaction as the routed record and the input offset.
     */
    static final String ROUTED_JOBS_STORE = "routed-jobs";

    /** The W3C trace context header of a traced producer; the worker's listener continues its trace. */
    static final String TRACEPARENT = "traceparent";

    /** Logging context keys, printed by logging.pattern.correlation like the spans' own in the other services. */
    private static final String CORRELATION_ID_MDC_KEY = "correlationId";
    private static final String TRACE_ID_MDC_KEY = "traceId";

    private RoutingTopology() {
    }

    static Topology build(JobClassifier classifier, RoutingConfig seed, Clock clock, DecisionRecorder recorder,
                          Duration dedupeRetention, int maxRecordBytes) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, classifier, seed, clock, recorder, dedupeRetention, maxRecordBytes);
        return builder.build();
    }

    /** {@code seed} is the configuration to decide with while jobs.routing holds none. */
    static KStream<String, Job> addTo(StreamsBuilder builder, JobClassifier classifier, RoutingConfig seed,
                                      Clock clock, DecisionRecorder recorder, Duration dedupeRetention,
                                      int maxRecordBytes) {
        LiveRoutingConfig routing = new LiveRoutingConfig(seed);
        routing.addTo(builder);
        // a window is one instant: only its start, the first routing's record time, matters
        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(ROUTED_JOBS_STORE, dedupeRetention, Duration.ofMillis(1), false),
                Serdes.String(), Serdes.String()));
        KStream<String, Job> jobs = builder.stream(Topics.JOBS_IN.name(),
                Consumed.with(Topics.JOBS_IN.keySerde(), Topics.JOBS_IN.valueSerde()).withName("jobs-in"));
        KStream<String, Routed> routed = jobs.processValues(
                () -> new Classify(classifier, routing, clock, recorder, dedupeRetention, maxRecordBytes),
                Named.as("classify"),
                ROUTED_JOBS_STORE);
        // The pools' records leave as the bytes the size check serialized: one serialization per routed job.
        routed.split(Named.as("route-"))
                .branch((jobId, job) -> job.classified().jobClass() == JobClass.HEAVY,
                        Branched.withConsumer(heavy -> toPool(heavy, Topics.JOBS_HEAVY), "heavy"))
                .defaultBranch(Branched.withConsumer(light -> toPool(light, Topics.JOBS_LIGHT), "light"));
        // Same key, same transaction as the pool's record: a read_committed worker sees the job only once QUEUED is
        // on the jobId's jobs.status partition, so its RUNNING always lands after it.
        routed.mapValues(job -> queued(job.classified()), Named.as("queued"))
                .to(Topics.JOBS_STATUS.name(), produced(Topics.JOBS_STATUS));
        return jobs;
    }

    private static JobStatusEvent queued(ClassifiedJob classified) {
        return new JobStatusEvent(classified.job().jobId(), JobStatus.QUEUED, classified.classifiedAt(),
                classified.jobClass(), null, null, null);
    }

    private static void toPool(KStream<String, Routed> routed, Topic<String, ClassifiedJob> topic) {
        routed.mapValues(Routed::value, Named.as(topic.name() + "-value"))
                .to(topic.name(), Produced.with(topic.keySerde(), Serdes.ByteArray()).withName(topic.name()));
    }

    /** A classified job and its record value for the pool's topic, serialized once by the size check. */
    record Routed(ClassifiedJob classified, byte[] value) {
    }

    private static <V> Produced<String, V> produced(Topic<String, V> topic) {
        return Produced.with(topic.keySerde(), topic.valueSerde()).withName(topic.name());
    }

    private static final class Classify implements FixedKeyProcessor<String, Job, Routed> {

        private final JobClassifier classifier;
        private final LiveRoutingConfig routingConfig;
        private final Clock clock;
        private final DecisionRecorder recorder;
        private final long retentionMs;
        private final int maxRecordBytes;
        private FixedKeyProcessorContext<String, Routed> context;
        private WindowStore<String, String> routed;

        Classify(JobClassifier classifier, LiveRoutingConfig routingConfig, Clock clock, DecisionRecorder recorder,
                 Duration retention, int maxRecordBytes) {
            this.classifier = classifier;
            this.routingConfig = routingConfig;
            this.clock = clock;
            this.recorder = recorder;
            this.retentionMs = retention.toMillis();
            this.maxRecordBytes = maxRecordBytes;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Routed> context) {
            this.context = context;
            this.routed = context.getStateStore(ROUTED_JOBS_STORE);
        }

        /** Remembers the jobId only once the job is classified, so a record that fails here can come again. */
        @Override
        public void process(FixedKeyRecord<String, Job> record) {
            Job job = checked(record.key(), record.value());
            String correlationId = correlationId(record.headers());
            // The record's headers, traceparent included, are forwarded unchanged: the job's trace continues in
            // the worker. The trace id goes into the logging context so this hop's lines carry it too.
            try (MDC.MDCCloseable correlation = MDC.putCloseable(CORRELATION_ID_MDC_KEY, correlationId);
                 MDC.MDCCloseable trace = MDC.putCloseable(TRACE_ID_MDC_KEY, traceId(record.headers()))) {
                String firstRoutedAs = firstRoutedAs(job.jobId(), record.timestamp());
                if (firstRoutedAs != null) {
                    recorder.duplicate(job.jobId(), firstRoutedAs, correlationId);
                    return;
                }
                RoutingConfig config = routingConfig.current();
                Classification decision = classifier.classify(job, config);
                ClassifiedJob classified =
                        new ClassifiedJob(job, decision.jobClass(), decision.reason(), clock.instant());
                Headers headers = withConfigVersion(record.headers(), config.version());
                byte[] value = sizeChecked(record.key(), classified, headers);
                routed.put(job.jobId(), RoutedJobs.value(decision.jobClass(), job), record.timestamp());
                recorder.record(classified, decision.rule(), config.version(), correlationId);
                context.forward(record.withValue(new Routed(classified, value)).withHeaders(headers));
            }
        }

        private String firstRoutedAs(String jobId, long timestamp) {
            String value = RoutedJobs.find(routed, jobId, timestamp, retentionMs);
            return value == null ? null : RoutedJobs.jobClass(value);
        }

        /**
         * Turns away, before the send, a routed record the producer or the broker would refuse: under exactly-once
         * that refusal would break the transaction instead of failing one record. The headers travel with the
         * record, so they count too. Returns the serialized value, which the pool's sink then sends as it is.
         */
        private byte[] sizeChecked(String key, ClassifiedJob classified, Headers headers) {
            Topic<String, ClassifiedJob> topic = Topics.forClass(classified.jobClass());
            byte[] value = topic.valueSerde().serializer().serialize(topic.name(), classified);
            int size = DeadLetters.size(key.getBytes(StandardCharsets.UTF_8), value, headers);
            if (size > maxRecordBytes) {
                throw new OversizedRecordException("the routed record for " + topic.name() + " would be " + size
                        + " bytes (key, value and headers), over the limit of " + maxRecordBytes + " bytes");
            }
            return value;
        }

        private static Job checked(String key, Job job) {
            if (job == null) {
                throw new RejectedRecordException("record value is null: a job is required");
            }
            if (key == null) {
                throw new RejectedRecordException("record key is missing: expected the jobId " + job.jobId());
            }
            if (!key.equals(job.jobId())) {
                throw new RejectedRecordException("record key " + key + " does not equal the jobId " + job.jobId());
            }
            return job;
        }

        /** A copy of the headers with the version of the configuration that decided, replacing one sent along. */
        private static Headers withConfigVersion(Headers headers, long version) {
            Headers copy = new RecordHeaders(headers.toArray());
            copy.remove(KiwoHeaders.ROUTING_CONFIG_VERSION);
            copy.add(KiwoHeaders.ROUTING_CONFIG_VERSION, Long.toString(version).getBytes(StandardCharsets.UTF_8));
            return copy;
        }

        /** The trace id of a W3C {@code traceparent} header (version-traceid-spanid-flags), or "-". */
        static String traceId(Headers headers) {
            Header header = headers.lastHeader(TRACEPARENT);
            String value = header == null || header.value() == null
                    ? ""
                    : new String(header.value(), StandardCharsets.US_ASCII);
            return value.length() >= 36 && value.charAt(2) == '-' && value.charAt(35) == '-'
                    ? value.substring(3, 35)
                    : "-";
        }

        private static String correlationId(Headers headers) {
            Header header = headers.lastHeader(KiwoHeaders.CORRELATION_ID);
            return header == null || header.value() == null
                    ? "-"
                    : new String(header.value(), StandardCharsets.UTF_8);
        }
    }
}
