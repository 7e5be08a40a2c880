package dev.kiwo.classifier.routing;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.JobClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line and one count per decision. The counter is tagged by class only: a replacement model may put
 * anything into its reason, and an unbounded tag would grow the registry without limit.
 */
final class DecisionRecorder {

    static final String DECISIONS_METER = "kiwo.classifier.decisions";
    static final String DUPLICATES_METER = "kiwo.classifier.duplicates";

    private static final Logger LOG = LoggerFactory.getLogger(DecisionRecorder.class);

    private final Map<JobClass, Counter> decisions = new EnumMap<>(JobClass.class);
    private final Counter duplicates;

    DecisionRecorder(MeterRegistry registry) {
        for (JobClass jobClass : JobClass.values()) {
            decisions.put(jobClass, Counter.builder(DECISIONS_METER)
                    .description("Jobs classified, by class")
                    .tag("class", jobClass.name())
                    .register(registry));
        }
        duplicates = Counter.builder(DUPLICATES_METER)
                .description("Records of a jobId that was already routed, dropped")
                .register(registry);
    }

    void duplicate(String jobId, String firstRoutedAs, String correlationId) {
        LOG.info("Dropped duplicate of job {} (already routed as {}) correlationId={}", jobId, firstRoutedAs,
                correlationId);
        duplicates.increment();
    }

    void record(ClassifiedJob decision, String correlationId) {
        LOG.info("Classified job {} as {} ({}) correlationId={}", decision.job().jobId(), decision.jobClass(),
                decision.reason(), correlationId);
        decisions.get(decision.jobClass()).increment();
    }
}
