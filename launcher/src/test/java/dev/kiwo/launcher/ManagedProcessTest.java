package dev.kiwo.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagedProcessTest {

    @TempDir
    Path dir;

    private ManagedProcess process;

    @AfterEach
    void stopWhatRuns() {
        if (process != null) {
            process.stop(Duration.ofSeconds(5));
        }
    }

    private ManagedProcess shell(String script) {
        process = ManagedProcess.start("shell", List.of("sh", "-c", script), dir.resolve("logs/shell.log"));
        return process;
    }

    @Test
    void writesOutputAndErrorsToItsLogAndSeesLinesAsTheyCome() {
        shell("echo starting; echo oops >&2; sleep 0.3; echo ready; sleep 30");

        Duration ready = process.watch(line -> line.equals("ready")).await(Duration.ofSeconds(10), "the ready line");

        assertThat(ready).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
        assertThat(process.tail(10)).isEqualTo("starting\noops\nready");
    }

    @Test
    void aProcessThatEndsOnSigtermIsNotKilled() {
        shell("echo up; exec sleep 30");
        process.watch("up"::equals).await(Duration.ofSeconds(10), "up");

        ManagedProcess.Stopped stopped = process.stop(Duration.ofSeconds(10));

        assertThat(stopped.killed()).isFalse();
        assertThat(stopped.took()).isLessThan(Duration.ofSeconds(5));
        assertThat(process.alive()).isFalse();
    }

    @Test
    void aProcessThatIgnoresSigtermIsKilledAfterTheGrace() {
        shell("trap '' TERM; echo up; while :; do sleep 0.1; done");
        process.watch("up"::equals).await(Duration.ofSeconds(10), "up");

        ManagedProcess.Stopped stopped = process.stop(Duration.ofMillis(700));

        assertThat(stopped.killed()).isTrue();
        assertThat(stopped.took()).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        assertThat(process.alive()).isFalse();
    }

    @Test
    void exitCodeAndWhatItWrote() {
        shell("echo done; exit 3");

        assertThat(process.awaitExit(Duration.ofSeconds(10))).isEqualTo(3);
        assertThat(process.tail(5)).isEqualTo("done");
    }

    @Test
    void aWatchFailsWhenTheProcessEndsWithoutTheLine() {
        shell("echo something else; exit 1");

        assertThatThrownBy(() -> process.watch("never"::equals).await(Duration.ofSeconds(10), "the line"))
                .hasMessageContaining("exited before the line").hasMessageContaining("something else");
    }

    @Test
    void aRestartAppendsToTheLogAndSeesOnlyItsOwnLines() throws Exception {
        shell("echo first run").awaitExit(Duration.ofSeconds(10));

        shell("echo second run; exec sleep 30");

        assertThat(process.watch(line -> line.startsWith("second")).await(Duration.ofSeconds(10), "second"))
                .isPositive();
        assertThat(process.tail(10)).isEqualTo("second run");
        assertThat(Files.readAllLines(process.log())).containsExactly("first run", "second run");
    }

    @Test
    void adoptsARunningProcessOnlyWithTheStartTimeItHad() {
        shell("echo up; exec sleep 30");
        long pid = process.pid();
        Instant started = process.startInstant();

        assertThat(ManagedProcess.adopt("shell", pid, started.minusMillis(1000), process.log()))
                .as("a pid the system gave to another process").isEmpty();
        ManagedProcess adopted = ManagedProcess.adopt("shell", pid, started, process.log()).orElseThrow();

        assertThat(adopted.stop(Duration.ofSeconds(10)).killed()).isFalse();
        assertThat(process.alive()).isFalse();
        assertThat(ManagedProcess.adopt("shell", pid, started, process.log())).isEmpty();
    }

    @Test
    void anEndedProcessWaitingToBeCollectedIsNotAlive() throws Exception {
        // The shell's background child ends at once; the shell, replaced by sleep, never collects it.
        shell("sleep 0.1 & echo $!; exec sleep 30");
        process.watch(line -> line.matches("\\d+")).await(Duration.ofSeconds(10), "the child's pid");
        long child = Long.parseLong(process.tail(1).strip());
        Thread.sleep(1000);
        Instant started = ProcessHandle.of(child).flatMap(h -> h.info().startInstant()).orElseThrow();

        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).as("the JDK's view").contains(true);
        assertThat(ManagedProcess.adopt("child", child, ManagedProcess.toMillis(started), process.log())).isEmpty();
    }
}
