package dev.kiwo.classifier.decision;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where {@link HeavyJobRule} draws the line; each bound is inclusive. Defaults live in application.yaml,
 * so a zero here means the configuration was lost, which is rejected rather than routing everything heavy.
 *
 * @param fileSizeMb a job this large or larger is heavy
 * @param pageCount  a job with this many pages or more is heavy
 * @param imageCount a job with this many images or more is heavy
 */
@ConfigurationProperties("kiwo.classifier.thresholds")
public record Thresholds(double fileSizeMb, int pageCount, int imageCount) {

    public Thresholds {
        if (!Double.isFinite(fileSizeMb) || fileSizeMb <= 0) {
            throw new IllegalArgumentException(
                    "kiwo.classifier.thresholds.file-size-mb must be a finite number > 0, was " + fileSizeMb);
        }
        if (pageCount <= 0) {
            throw new IllegalArgumentException("kiwo.classifier.thresholds.page-count must be > 0, was " + pageCount);
        }
        if (imageCount <= 0) {
            throw new IllegalArgumentException("kiwo.classifier.thresholds.image-count must be > 0, was " + imageCount);
        }
    }
}
