package dev.kiwo.classifier.routing;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.JobClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One count per decision, tagged by class and by the rule that decided (a small fixed set per model; the free-form
 * reason stays out of tags, so the registry cannot grow without limit), and one DEBUG line: at INFO, a line per
 * record was a measurable share of the classifier's throughput.
 */
final class DecisionRecorder {

    static final String DECISIONS_METER = "kiwo.classifier.decisions";
    static final String DUPLICATES_METER = "kiwo.classifier.duplicates";

    private static final Logger LOG = LoggerFactory.getLogger(DecisionRecorder.class);

    private final MeterRegistry registry;
    private final Map<JobClass, Map<String, Counter>> decisions = new EnumMap<>(JobClass.class);
    private final Counter duplicates;

    DecisionRecorder(MeterRegistry registry) {
        this.registry = registry;
        for (JobClass jobClass : JobClass.values()) {
            decisions.put(jobClass, new ConcurrentHashMap<>());
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

    /** Stream threads call this concurrently; the counter of each class and rule is registered once. */
    void record(ClassifiedJob decision, String rule, String correlationId) {
        LOG.debug("Classified job {} as {} ({}) correlationId={}", decision.job().jobId(), decision.jobClass(),
                decision.reason(), correlationId);
        decisions.get(decision.jobClass()).computeIfAbsent(rule, r -> Counter.builder(DECISIONS_METER)
                .description("Jobs classified, by class and by the rule that decided")
                .tag("class", decision.jobClass().name())
                .tag("rule", r)
                .register(registry)).increment();
    }
}
