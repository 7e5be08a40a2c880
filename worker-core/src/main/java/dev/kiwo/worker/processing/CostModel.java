package dev.kiwo.worker.processing;

import dev.kiwo.model.Job;
import dev.kiwo.worker.config.WorkerProperties;

/**
 * How much CPU a job costs, deterministically from its size:
 * {@code scale * (fileSizeMb * msPerMb + pageCount * msPerPage + imageCount * msPerImage)} milliseconds,
 * capped at {@code max} so that an absurd job cannot hold a partition forever.
 */
public final class CostModel {

    private final WorkerProperties.Cost cost;
    private final long maxMs;

    public CostModel(WorkerProperties.Cost cost) {
        this.cost = cost;
        this.maxMs = cost.max().toMillis();
    }

    long costMs(Job job) {
        double ms = cost.scale() * (job.fileSizeMb() * cost.msPerMb()
                + job.pageCount() * cost.msPerPage()
                + job.imageCount() * cost.msPerImage());
        // Cap before rounding: the product can exceed what a long holds.
        return Math.round(Math.min(ms, maxMs));
    }
}
