package dev.kiwo.classifier.routing;

import dev.kiwo.model.JobClass;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Shows routing at the default log level without a line per record, which cost about a third of the classifier's
 * throughput: once per interval, a line with the decisions per class since the previous interval (none while
 * idle), and the next decision of each class is logged as a sample by {@link DecisionRecorder}.
 *
 * <p>A Spring scheduled task rather than a Kafka Streams punctuator, because punctuators run per stream task and an
 * instance has several, while this is one line per instance. Routed jobs are read from the decision counters the
 * metric already keeps, so the per-record path counts nothing twice. Dead letters are Kafka Streams' per-task
 * {@code dropped-records-total}: in this topology only the exception handlers drop records, and each one they drop is
 * dead-lettered.
 */
final class RoutingLog implements SchedulingConfigurer {

    private static final Logger LOG = LoggerFactory.getLogger(RoutingLog.class);

    private final DecisionRecorder recorder;
    private final Duration interval;
    private final String intervalText;
    private final Supplier<Map<MetricName, ? extends Metric>> streamsMetrics;
    private final Map<JobClass, Long> routedBefore = new EnumMap<>(JobClass.class);
    private Map<MetricName, Double> droppedBefore = Map.of();
    private final long[][] shadowBefore = new long[JobClass.values().length][JobClass.values().length];
    private long deadLettered;

    /**
     * @param interval       how often; zero schedules nothing, so no line and no sample is ever logged
     * @param streamsMetrics the Streams client's metrics, empty while there is no client
     */
    RoutingLog(DecisionRecorder recorder, Duration interval,
               Supplier<Map<MetricName, ? extends Metric>> streamsMetrics) {
        this.recorder = recorder;
        this.interval = interval;
        this.intervalText = interval.toString().substring(2).toLowerCase(Locale.ROOT); // PT10S -> 10s
        this.streamsMetrics = streamsMetrics;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        if (!interval.isZero()) {
            // the first run is at once: nothing to report yet, but it arms the first samples
            registrar.addFixedRateTask(this::logInterval, interval);
        }
    }

    /** Runs once per interval; a fixed-rate task never overlaps itself, so the fields need no locking. */
    void logInterval() {
        StringBuilder recent = new StringBuilder();
        StringBuilder total = new StringBuilder();
        long routed = 0;
        for (JobClass jobClass : JobClass.values()) {
            long now = recorder.decisions(jobClass);
            long since = now - routedBefore.getOrDefault(jobClass, 0L);
            routedBefore.put(jobClass, now);
            routed += since;
            String name = jobClass.name().toLowerCase(Locale.ROOT);
            recent.append(name).append('=').append(since).append(' ');
            total.append(name).append('=').append(now).append(' ');
        }
        long dead = deadLetteredSinceLastRun();
        deadLettered += dead;
        if (routed + dead > 0) {
            LOG.info("Routed in the last {}: {}dead-lettered={} (since start: {}dead-lettered={})", intervalText,
                    recent, dead, total, deadLettered);
        }
        logShadow();
        recorder.armSamples();
    }

    /** In shadow mode, how often the model agreed with the rule in the interval, and where it would have differed. */
    private void logShadow() {
        long[][] since = new long[JobClass.values().length][JobClass.values().length];
        long all = 0;
        long agreed = 0;
        for (JobClass byRule : JobClass.values()) {
            for (JobClass byModel : JobClass.values()) {
                long now = recorder.shadowDecisions(byRule, byModel);
                long count = now - shadowBefore[byRule.ordinal()][byModel.ordinal()];
                shadowBefore[byRule.ordinal()][byModel.ordinal()] = now;
                since[byRule.ordinal()][byModel.ordinal()] = count;
                all += count;
                agreed += byRule == byModel ? count : 0;
            }
        }
        if (all > 0) {
            LOG.info("Shadow model in the last {}: {} decisions, {} agreed with the rule ({}%); it would have sent "
                            + "{} of the rule's light jobs heavy and {} of its heavy jobs light", intervalText, all,
                    agreed, String.format(Locale.ROOT, "%.1f", 100.0 * agreed / all),
                    since[JobClass.LIGHT.ordinal()][JobClass.HEAVY.ordinal()],
                    since[JobClass.HEAVY.ordinal()][JobClass.LIGHT.ordinal()]);
        }
    }

    /**
     * Sums each task's count since the last run. Around a rebalance the sum may fall short: a task that moves away
     * takes its metric along, and one that comes back starts a new count from zero (a count lower than before is
     * therefore taken as all new).
     */
    private long deadLetteredSinceLastRun() {
        Map<MetricName, Double> now = new HashMap<>();
        streamsMetrics.get().forEach((name, metric) -> {
            if (name.name().equals("dropped-records-total") && name.group().equals("stream-task-metrics")) {
                now.put(name, ((Number) metric.metricValue()).doubleValue());
            }
        });
        double since = 0;
        for (Map.Entry<MetricName, Double> task : now.entrySet()) {
            double before = droppedBefore.getOrDefault(task.getKey(), 0.0);
            since += task.getValue() >= before ? task.getValue() - before : task.getValue();
        }
        droppedBefore = now;
        return (long) since;
    }
}
