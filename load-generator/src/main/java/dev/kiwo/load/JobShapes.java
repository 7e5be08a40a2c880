package dev.kiwo.load;

import dev.kiwo.model.JobClass;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Request bodies for each class, drawn from a seeded generator. Light shapes are small documents, far
 * below every heavy threshold of the baseline rule (50 MB, 200 pages, 50 images); heavy shapes cross the
 * file-size threshold and often others.
 */
final class JobShapes {

    private final SplittableRandom random;
    private long sequence;

    JobShapes(long seed) {
        this.random = new SplittableRandom(seed);
    }

    synchronized Map<String, Object> next(JobClass jobClass) {
        Map<String, Object> body = new LinkedHashMap<>();
        long n = ++sequence;
        if (jobClass == JobClass.LIGHT) {
            body.put("name", "light-" + n + ".pdf");
            body.put("fileSizeMb", round(random.nextDouble(0.1, 2.0)));
            body.put("pageCount", random.nextInt(1, 10));
            body.put("imageCount", random.nextInt(0, 3));
        } else {
            body.put("name", "heavy-" + n + ".pdf");
            body.put("fileSizeMb", round(random.nextDouble(50.0, 80.0)));
            body.put("pageCount", random.nextInt(20, 250));
            body.put("imageCount", random.nextInt(0, 60));
        }
        return body;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
