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
    /**
     * Distinct rules counted per class; later ones count as {@value #OTHER_RULE}, so a replacement model that puts
     * per-job values into its rule cannot grow the registry without limit.
     */
    static final int MAX_RULES_PER_CLASS = 32;
    static final String OTHER_RULE = "other";

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
        counter(decision.jobClass(), rule).increment();
    }

    private Counter counter(JobClass jobClass, String rule) {
        Map<String, Counter> byRule = decisions.get(jobClass);
        Counter counter = byRule.get(rule);
        if (counter != null) {
            return counter;
        }
        // Not atomic with the insert: concurrent stream threads may pass the bound by a few, which is harmless.
        boolean full = byRule.size() >= MAX_RULES_PER_CLASS;
        if (full && !byRule.containsKey(OTHER_RULE)) {
            LOG.warn("More than {} distinct rules for class {}; further ones are counted as rule={}: a classifier's "
                    + "rule should come from a small fixed set", MAX_RULES_PER_CLASS, jobClass, OTHER_RULE);
        }
        return byRule.computeIfAbsent(full ? OTHER_RULE : rule, r -> Counter.builder(DECISIONS_METER)
                .description("Jobs classified, by class and by the rule that decided")
                .tag("class", jobClass.name())
                .tag("rule", r)
                .register(registry));
    }
}
