package dev.kiwo.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LocalModeCommandTest {

    @TempDir
    Path runDir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine command = LocalModeCommand.commandLine();
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @Test
    void anUnknownNameIsOneLineAndExitCodeOne() {
        int code = run("stop", "--root", ".", "--run-dir", runDir.toString(), "zookeeper");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("error: no process named zookeeper; local mode runs "
                + "[kafka, api, classifier, worker-light, worker-heavy]");
    }

    @Test
    void startingOneProcessNeedsALocalModeThatRanThere() {
        int code = run("start", "--root", ".", "--run-dir", runDir.toString(), "api");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("local mode has not run in " + runDir);
    }

    @Test
    void stoppingWhatDoesNotRunIsNoError() {
        assertThat(run("stop", "--root", ".", "--run-dir", runDir.toString())).isZero();
    }

    @Test
    void aMissingOptionIsAUsageError() {
        assertThat(run("status", "--root", ".")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--run-dir=<runDir>'");
    }
}
