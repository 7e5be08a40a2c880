package dev.kiwo.classifier.model;

import dev.kiwo.model.Job;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;

/**
 * A seeded stream of jobs and the cost the workers' cost model gives them (20 ms/MB + 5 ms/page + 20 ms/image),
 * with noise: 5 % multiplicative, as from a busier or quieter CPU, plus 20 ms (sd) of scheduling jitter.
 */
final class WorkerCosts {

    static final double MS_PER_MB = 20;
    static final double MS_PER_PAGE = 5;
    static final double MS_PER_IMAGE = 20;

    private final Random random;

    WorkerCosts(long seed) {
        this.random = new Random(seed);
    }

    static double trueCost(double fileSizeMb, int pageCount, int imageCount) {
        return fileSizeMb * MS_PER_MB + pageCount * MS_PER_PAGE + imageCount * MS_PER_IMAGE;
    }

    static Job job(double fileSizeMb, int pageCount, int imageCount) {
        return new Job(UUID.randomUUID().toString(), null, fileSizeMb, pageCount, imageCount, Instant.EPOCH);
    }

    /** A job of sizes spread over what kiwo sees, light-looking and heavy alike. */
    Job nextJob() {
        return job(Math.round(random.nextDouble() * 600) / 10.0, random.nextInt(300), random.nextInt(80));
    }

    /** The measured cost of a job: the true cost with noise, never below zero, rounded to ms as workers report. */
    long measure(Job job) {
        double cost = trueCost(job.fileSizeMb(), job.pageCount(), job.imageCount())
                * (1 + 0.05 * random.nextGaussian()) + 20 * random.nextGaussian();
        return Math.max(0, Math.round(cost));
    }

    /** Trains the model on {@code count} jobs of this stream. */
    void train(CostModel model, int count) {
        for (int i = 0; i < count; i++) {
            Job job = nextJob();
            if (model.observe(job.fileSizeMb(), job.pageCount(), job.imageCount(), measure(job)).isPresent()) {
                throw new IllegalStateException("a clean observation was rejected");
            }
        }
    }
}
