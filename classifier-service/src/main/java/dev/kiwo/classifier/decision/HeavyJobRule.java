package dev.kiwo.classifier.decision;

import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline model: a job is heavy as soon as one of its sizes reaches its threshold. The reason names every
 * threshold that fired, so a log line shows why without recomputing.
 */
public final class HeavyJobRule implements JobClassifier {

    public static final String BELOW_ALL_THRESHOLDS = "below all thresholds";

    private final Thresholds thresholds;
    private final String fileSizeReason;
    private final String pageCountReason;
    private final String imageCountReason;

    public HeavyJobRule(Thresholds thresholds) {
        this.thresholds = thresholds;
        // 50.0 reads as "50" so reasons stay stable whether the threshold was configured as 50 or 50.0
        this.fileSizeReason = "fileSizeMb>=" + BigDecimal.valueOf(thresholds.fileSizeMb()).stripTrailingZeros()
                .toPlainString();
        this.pageCountReason = "pageCount>=" + thresholds.pageCount();
        this.imageCountReason = "imageCount>=" + thresholds.imageCount();
    }

    @Override
    public Classification classify(Job job) {
        List<String> fired = new ArrayList<>(3);
        if (job.fileSizeMb() >= thresholds.fileSizeMb()) {
            fired.add(fileSizeReason);
        }
        if (job.pageCount() >= thresholds.pageCount()) {
            fired.add(pageCountReason);
        }
        if (job.imageCount() >= thresholds.imageCount()) {
            fired.add(imageCountReason);
        }
        return fired.isEmpty()
                ? new Classification(JobClass.LIGHT, BELOW_ALL_THRESHOLDS)
                : new Classification(JobClass.HEAVY, String.join(",", fired));
    }
}
