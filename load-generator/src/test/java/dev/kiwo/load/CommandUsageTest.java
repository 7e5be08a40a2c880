package dev.kiwo.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The module's three commands without a broker or an API: the generated help, and bad usage refused with one
 * line naming the command, the synopsis and exit status 2 before anything is sent or read.
 */
class CommandUsageTest {

    @Test
    void theLoadGeneratorPrintsItsHelpAndRefusesBadUsage() {
        Run help = loadGenerator("--help");

        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("Usage: load-generator", "--target=URL", "(default: http://localhost:8080)",
                "--burst-heavy-rate=N", "--completion=MODE", "--api-key=KEY", "KIWO_API_KEY",
                "Exit status: 0 at least one job accepted, 1 none accepted, 2 bad usage.");
        assertThat(help.err()).isEmpty();
        assertRefused(loadGenerator("--rate", "5"), "load-generator: Unknown options: '--rate', '5'",
                "Usage: load-generator");
        assertRefused(loadGenerator("--duration=ten"),
                "load-generator: Invalid value for option '--duration': not a duration: ten", "Usage: load-generator");
        // spans two options: checked by the plan, answered the same way
        assertRefused(loadGenerator("--completion", "kafka"),
                "load-generator: --completion kafka needs --bootstrap-servers", "Usage: load-generator");
    }

    @Test
    void theReplayPrintsItsHelpAndRefusesBadUsage() {
        Run help = run(DeadLetterReplay::run, "-h");

        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("Usage: dead-letter-replay", "--bootstrap-servers=H:P", "[--job-id=ID]...",
                "--dry-run", "Exit status:");
        assertRefused(run(DeadLetterReplay::run, "--dry-run"),
                "dead-letter-replay: Missing required option: '--bootstrap-servers=H:P'", "Usage: dead-letter-replay");
        assertRefused(run(DeadLetterReplay::run, "--bootstrap-servers", "127.0.0.1:1", "--job", "x"),
                "dead-letter-replay: Unknown options: '--job', 'x'", "Usage: dead-letter-replay");
    }

    @Test
    void theAuditPrintsItsHelpAndRefusesBadUsage() {
        Run help = run(ResultAudit::run, "--help");

        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("Usage: result-audit", "--bootstrap-servers=H:P", "--accepted=FILE",
                "300s)", "5s)", "Exit status: 0 nothing missing or duplicated");
        assertRefused(run(ResultAudit::run, "--bootstrap-servers", "127.0.0.1:1", "--timeout"),
                "result-audit: Missing required parameter for option '--timeout' (D)", "Usage: result-audit");
        assertRefused(run(ResultAudit::run, "--bootstrap-servers=127.0.0.1:1", "--settle=soon"),
                "result-audit: Invalid value for option '--settle': not a duration: soon", "Usage: result-audit");
    }

    private static void assertRefused(Run run, String firstLine, String synopsis) {
        assertThat(run.status()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith(firstLine).contains(synopsis, "--help");
        assertThat(run.out()).isEmpty();
    }

    record Run(int status, String out, String err) {
    }

    private interface Command {
        int run(List<String> args, PrintStream out, PrintStream err);
    }

    private static Run loadGenerator(String... args) {
        return run((list, out, err) -> LoadGenerator.run(list, Map.of(), out, err), args);
    }

    private static Run run(Command command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = command.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
