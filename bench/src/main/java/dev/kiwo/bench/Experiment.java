package dev.kiwo.bench;

import java.io.PrintStream;
import java.nio.file.Path;

/** One benchmark: it starts what it needs on the given stack, measures, and fills the report. */
interface Experiment {

    String name();

    void run(Params params, LocalStack stack, BenchReport report, Path outDir, PrintStream out) throws Exception;
}
