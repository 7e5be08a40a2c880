package dev.kiwo.classifier.model;

/**
 * One thing learned: a routed job's sizes and what a worker measured it cost. Joined from what the classifier
 * routed and the job's result on {@code jobs.results}.
 *
 * @param fileSizeMb   the job's size in MB
 * @param pageCount    its pages
 * @param imageCount   its images
 * @param costMs       the worker's measured cost of the successful attempt: its CPU time, or its wall time from a
 *                     worker that does not report CPU time
 */
public record CostSample(double fileSizeMb, int pageCount, int imageCount, long costMs) {
}
