package dev.kiwo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness's command line, without running an experiment: help, overrides in both syntaxes, refusals. */
class BenchTest {

    @Test
    void printsItsHelpWithTheExperiments() {
        Run help = run("startup", "--quick", "--help");

        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("Usage: bench", "EXPERIMENT",
                "isolation, ingest, classifier, startup, routing, or all", "--quick", "--NAME=VALUE or --NAME VALUE",
                "Exit status: 0 done, 1 an experiment failed, 2 bad usage.");
        assertThat(help.err()).isEmpty();
    }

    @Test
    void takesOverridesAsNameEqualsValueOrNameThenValueTheLastOneWinning() {
        List<String> args = List.of("isolation", "--light-rate", "8", "--quick", "--duration=150s", "--modes",
                "split", "--offset", "-1", "--duration", "200s");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Bench bench = new Bench(quiet);

        Bench.commandLine(bench, args, quiet, quiet).parseArgs(args.toArray(String[]::new));

        assertThat(bench.experiment).isEqualTo("isolation");
        assertThat(bench.quick).isTrue();
        assertThat(bench.overrides()).isEqualTo(Map.of("light-rate", "8", "duration", "200s", "modes", "split",
                "offset", "-1"));
    }

    @Test
    void refusesBadUsageBeforeStartingAnything() {
        assertRefused(run(), "bench: Missing required parameter: 'EXPERIMENT'");
        assertRefused(run("fast"), "bench: unknown experiment fast: expected isolation, ingest, classifier, startup, "
                + "routing or all");
        assertRefused(run("isolation", "fast"), "bench: Unmatched argument at index 1: 'fast'");
        assertRefused(run("isolation", "--duration"), "bench: Missing required parameter for option '--duration'");
        assertRefused(run("startup", "--quick", "--time-limit", "soon"),
                "bench: --time-limit: not a duration: soon (use 500ms, 30s or 2m)");
    }

    private static void assertRefused(Run run, String firstLine) {
        assertThat(run.status()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith(firstLine).contains("Usage: bench", "More: bench --help");
        assertThat(run.out()).isEmpty();
    }

    record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Bench.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
