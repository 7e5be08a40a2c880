package dev.kiwo.classifier.routing;

import dev.kiwo.classifier.decision.Classification;
import dev.kiwo.classifier.decision.JobClassifier;
import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.KiwoHeaders;
import dev.kiwo.model.Topic;
import dev.kiwo.model.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * jobs.in -> check the record -> classify -> jobs.heavy or jobs.light. Built by plain methods so the
 * application and the TopologyTestDriver tests run the very same topology. Headers travel with each record,
 * so the correlation id reaches the output without being touched here.
 */
final class RoutingTopology {

    /**
     * Streams settings the topology relies on: a record that cannot be read or is rejected goes, as its
     * original bytes, to the dead-letter topic with {@code __streams.errors.*} headers, and processing continues.
     */
    static final Map<String, Object> ERROR_HANDLING = Map.of(
            StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class,
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class,
            StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.JOBS_DLQ.name());

    private RoutingTopology() {
    }

    static Topology build(JobClassifier classifier, Clock clock, DecisionRecorder recorder) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, classifier, clock, recorder);
        return builder.build();
    }

    static KStream<String, Job> addTo(StreamsBuilder builder, JobClassifier classifier, Clock clock,
                                      DecisionRecorder recorder) {
        KStream<String, Job> jobs = builder.stream(Topics.JOBS_IN.name(),
                Consumed.with(Topics.JOBS_IN.keySerde(), Topics.JOBS_IN.valueSerde()).withName("jobs-in"));
        jobs.processValues(() -> new Classify(classifier, clock, recorder), Named.as("classify"))
                .split(Named.as("route-"))
                .branch((jobId, classified) -> classified.jobClass() == JobClass.HEAVY,
                        Branched.withConsumer(heavy -> heavy.to(Topics.JOBS_HEAVY.name(), produced(Topics.JOBS_HEAVY)),
                                "heavy"))
                .defaultBranch(Branched.withConsumer(light -> light.to(Topics.JOBS_LIGHT.name(),
                        produced(Topics.JOBS_LIGHT)), "light"));
        return jobs;
    }

    private static Produced<String, ClassifiedJob> produced(Topic<String, ClassifiedJob> topic) {
        return Produced.with(topic.keySerde(), topic.valueSerde()).withName(topic.name());
    }

    private static final class Classify implements FixedKeyProcessor<String, Job, ClassifiedJob> {

        private final JobClassifier classifier;
        private final Clock clock;
        private final DecisionRecorder recorder;
        private FixedKeyProcessorContext<String, ClassifiedJob> context;

        Classify(JobClassifier classifier, Clock clock, DecisionRecorder recorder) {
            this.classifier = classifier;
            this.clock = clock;
            this.recorder = recorder;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, ClassifiedJob> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, Job> record) {
            Job job = checked(record.key(), record.value());
            Classification decision = classifier.classify(job);
            ClassifiedJob classified = new ClassifiedJob(job, decision.jobClass(), decision.reason(), clock.instant());
            recorder.record(classified, correlationId(record.headers()));
            context.forward(record.withValue(classified));
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

        private static String correlationId(Headers headers) {
            Header header = headers.lastHeader(KiwoHeaders.CORRELATION_ID);
            return header == null || header.value() == null
                    ? "-"
                    : new String(header.value(), StandardCharsets.UTF_8);
        }
    }
}
