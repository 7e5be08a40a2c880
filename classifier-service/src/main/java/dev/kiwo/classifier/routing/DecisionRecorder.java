package dev.kiwo.classifier.routing;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One count per decision, tagged by class, by the rule that decided (a small fixed set per model; the free-form
 * reason stays out of tags, so the registry cannot grow without limit) and by the routing configuration version it
 * used. Versions grow with every live change, so only the counters of the latest {@value #KEPT_VERSIONS} versions stay
 * registered: a decision made with an older version counts under the oldest kept one. One DEBUG line: at INFO, a line per
 * record was a measurable share of the classifier's throughput. At INFO only samples, the next decision of each class
 * each time {@link RoutingLog} arms them.
 */
final class DecisionRecorder {

    static final String DECISIONS_METER = "kiwo.classifier.decisions";
    static final String DUPLICATES_METER = "kiwo.classifier.duplicates";
    static final String SHADOW_METER = "kiwo.classifier.shadow.decisions";
    /**
     * Distinct rules counted per class; later ones count as {@value #OTHER_RULE}, so a replacement model that puts
     * per-job values into its rule cannot grow the registry without limit.
     */
    static final int MAX_RULES_PER_CLASS = 32;
    static final String OTHER_RULE = "other";
    /** Configuration versions whose counters stay registered: the current one and the one before, during a change. */
    static final int KEPT_VERSIONS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(DecisionRecorder.class);

    private final MeterRegistry registry;
    /** Per version, per class, per rule. Sorted, so the oldest version is the first to go. */
    private final ConcurrentSkipListMap<Long, Map<JobClass, Map<String, Counter>>> decisions =
            new ConcurrentSkipListMap<>();
    /** Per class, decisions since start, whatever counters were removed since. */
    private final Map<JobClass, LongAdder> totals = new EnumMap<>(JobClass.class);
    private final Counter duplicates;
    /** Shadow mode: per class the rule chose, per class the model would have chosen. */
    private final Map<JobClass, Map<JobClass, Counter>> shadow = new EnumMap<>(JobClass.class);
    /** Per class, whether the next decision is logged as a sample; none is until the routing log arms them. */
    private final Map<JobClass, AtomicBoolean> sampleDue = new EnumMap<>(JobClass.class);

    DecisionRecorder(MeterRegistry registry) {
        this.registry = registry;
        for (JobClass jobClass : JobClass.values()) {
            totals.put(jobClass, new LongAdder());
            sampleDue.put(jobClass, new AtomicBoolean());
        }
        for (JobClass byRule : JobClass.values()) {
            Map<JobClass, Counter> byModel = new EnumMap<>(JobClass.class);
            for (JobClass modelClass : JobClass.values()) {
                byModel.put(modelClass, Counter.builder(SHADOW_METER)
                        .description("Shadow mode: decisions by the class the rule routed to and the class the model "
                                + "would have chosen; they agree where the two tags are equal")
                        .tag("rule_class", byRule.name())
                        .tag("model_class", modelClass.name())
                        .register(registry));
            }
            shadow.put(byRule, byModel);
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

    /**
     * Stream threads call this concurrently; the counter of each class and rule is registered once. A decision that
     * is not a sample costs a read of its class's flag, and no formatting unless DEBUG is on.
     */
    void record(ClassifiedJob decision, String rule, long configVersion, String correlationId) {
        counter(decision.jobClass(), rule, configVersion).increment();
        totals.get(decision.jobClass()).increment();
        AtomicBoolean due = sampleDue.get(decision.jobClass());
        // read before the compare-and-set, so that threads do not contend for the flag while no sample is due
        if (due.get() && due.compareAndSet(true, false)) {
            Job job = decision.job();
            LOG.info("Sample decision: job {} is {} by rule {} ({}), fileSizeMb={} pageCount={} imageCount={} "
                    + "configVersion={} correlationId={}", job.jobId(), decision.jobClass(), rule, decision.reason(),
                    job.fileSizeMb(), job.pageCount(), job.imageCount(), configVersion, correlationId);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("Classified job {} as {} ({}) correlationId={}", decision.job().jobId(), decision.jobClass(),
                    decision.reason(), correlationId);
        }
    }

    /** Shadow mode: the rule routed the job to {@code byRule}; the model would have chosen {@code byModel}. */
    void shadow(JobClass byRule, JobClass byModel) {
        shadow.get(byRule).get(byModel).increment();
    }

    /** Shadow decisions since start where the rule chose {@code byRule} and the model {@code byModel}. */
    long shadowDecisions(JobClass byRule, JobClass byModel) {
        return (long) shadow.get(byRule).get(byModel).count();
    }

    /** The next decision of each class is logged as a sample, at INFO. */
    void armSamples() {
        sampleDue.values().forEach(due -> due.set(true));
    }

    /** Decisions of the class since start. */
    long decisions(JobClass jobClass) {
        return totals.get(jobClass).sum();
    }

    private Counter counter(JobClass jobClass, String rule, long configVersion) {
        long version = keptVersion(configVersion);
        Map<String, Counter> byRule = decisions.computeIfAbsent(version, v -> byClass()).get(jobClass);
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
                .description("Jobs classified, by class, by the rule that decided and by the routing config version")
                .tag("class", jobClass.name())
                .tag("rule", r)
                .tag("config_version", Long.toString(version))
                .register(registry));
    }

    /**
     * The version to count under: this one, removing the counters of versions beyond {@value #KEPT_VERSIONS} when it
     * is new, or the oldest kept one when it is older than all of them. Not atomic: during a change, a stream thread
     * still on the previous version may count a decision or two under a version whose counters were just removed.
     */
    private long keptVersion(long configVersion) {
        if (decisions.containsKey(configVersion)) {
            return configVersion;
        }
        if (decisions.size() >= KEPT_VERSIONS && configVersion < decisions.firstKey()) {
            return decisions.firstKey();
        }
        decisions.computeIfAbsent(configVersion, v -> byClass());
        while (decisions.size() > KEPT_VERSIONS) {
            Map.Entry<Long, Map<JobClass, Map<String, Counter>>> oldest = decisions.pollFirstEntry();
            if (oldest != null) {
                oldest.getValue().values().forEach(counters -> counters.values().forEach(registry::remove));
            }
        }
        return configVersion;
    }

    private static Map<JobClass, Map<String, Counter>> byClass() {
        Map<JobClass, Map<String, Counter>> byClass = new EnumMap<>(JobClass.class);
        for (JobClass jobClass : JobClass.values()) {
            byClass.put(jobClass, new ConcurrentHashMap<>());
        }
        return byClass;
    }
}
