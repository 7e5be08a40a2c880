package dev.kiwo.classifier.decision;

import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.RoutingConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline model: a job is heavy as soon as one of its sizes reaches its threshold. The reason names every
 * threshold that fired, so a log line shows why without recomputing; the rule is the one size that fired, or
 * {@value #SEVERAL} or {@value #NONE}.
 */
public final class HeavyJobRule implements JobClassifier {

    public static final String BELOW_ALL_THRESHOLDS = "below all thresholds";
    public static final String FILE_SIZE_MB = "fileSizeMb";
    public static final String PAGE_COUNT = "pageCount";
    public static final String IMAGE_COUNT = "imageCount";
    public static final String SEVERAL = "several";
    public static final String NONE = "none";

    private final Thresholds thresholds;
    private final String fileSizeReason;
    private final String pageCountReason;
    private final String imageCountReason;
    /** The rule of the latest live thresholds that differ from these, so a change builds its reasons once. */
    private volatile HeavyJobRule live;

    public HeavyJobRule(Thresholds thresholds) {
        this.thresholds = thresholds;
        // 50.0 reads as "50" so reasons stay stable whether the threshold was configured as 50 or 50.0
        this.fileSizeReason = FILE_SIZE_MB + ">=" + BigDecimal.valueOf(thresholds.fileSizeMb()).stripTrailingZeros()
                .toPlainString();
        this.pageCountReason = PAGE_COUNT + ">=" + thresholds.pageCount();
        this.imageCountReason = IMAGE_COUNT + ">=" + thresholds.imageCount();
    }

    /** Decides by the thresholds of the live configuration, which replace the ones this rule was built with. */
    @Override
    public Classification classify(Job job, RoutingConfig config) {
        Thresholds wanted = new Thresholds(config.fileSizeMb(), config.pageCount(), config.imageCount());
        if (wanted.equals(thresholds)) {
            return classify(job);
        }
        HeavyJobRule rule = live;
        if (rule == null || !rule.thresholds.equals(wanted)) {
            rule = new HeavyJobRule(wanted);
            live = rule;
        }
        return rule.classify(job);
    }

    @Override
    public Classification classify(Job job) {
        List<String> rules = new ArrayList<>(3);
        List<String> reasons = new ArrayList<>(3);
        if (job.fileSizeMb() >= thresholds.fileSizeMb()) {
            rules.add(FILE_SIZE_MB);
            reasons.add(fileSizeReason);
        }
        if (job.pageCount() >= thresholds.pageCount()) {
            rules.add(PAGE_COUNT);
            reasons.add(pageCountReason);
        }
        if (job.imageCount() >= thresholds.imageCount()) {
            rules.add(IMAGE_COUNT);
            reasons.add(imageCountReason);
        }
        if (rules.isEmpty()) {
            return new Classification(JobClass.LIGHT, NONE, BELOW_ALL_THRESHOLDS);
        }
        return new Classification(JobClass.HEAVY, rules.size() == 1 ? rules.get(0) : SEVERAL,
                String.join(",", reasons));
    }
}
