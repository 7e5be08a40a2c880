package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The routing command's usage, without a broker: help, and every refusal that comes before connecting, which
 * exits {@value RoutingCommand#REFUSED} at once although its bootstrap servers (a closed port) answer nothing.
 */
class RoutingCommandTest {

    /** A port nothing listens on: a command that tried to connect would fail with status 1, after its timeout. */
    private static final String NOWHERE = "127.0.0.1:1";

    @Test
    void printsItsHelpWithEveryOptionAndKey() {
        Run top = run("--help");
        Run set = run("set", "--help");

        assertThat(top.status()).isZero();
        assertThat(top.out()).contains("Usage: routing", "--bootstrap-servers", "--command-config", "show", "set",
                "Exit status: 0 done, 1");
        assertThat(set.status()).isZero();
        assertThat(set.out()).contains("Usage: routing set", "KEY=VALUE", "--by=NAME", "fileSizeMb, pageCount, "
                + "imageCount", "mode: rule, shadow or model", "modelBudgetMs");
    }

    @Test
    void refusesBadUsageAndBadKeysBeforeConnecting() {
        assertRefused(run("--bootstrap-servers", NOWHERE), "routing: expected show or set");
        assertRefused(run("--bootstrap-servers", NOWHERE, "drop"), "routing: Unmatched argument");
        assertRefused(run("--bootstrap-servers", NOWHERE, "show", "extra"), "routing: Unmatched argument");
        assertRefused(run("--bootstrap-servers", NOWHERE, "set"), "routing: Missing required parameter");
        assertRefused(run("--bootstrap-servers", NOWHERE, "set", "pageCont=100"),
                "routing: unknown key pageCont: expected one of fileSizeMb, imageCount, mode, modelBudgetMs, "
                        + "pageCount");
        assertRefused(run("--bootstrap-servers", NOWHERE, "set", "pageCount=1", "pageCount=2"),
                "routing: pageCount is given twice");
        assertRefused(run("--bootstrap-servers", NOWHERE, "set", "pageCount"), "routing: pageCount is not KEY=VALUE");
        assertRefused(run("--bootstrap-servers", NOWHERE, "set", "pageCount=1", "--by"),
                "routing: Missing required parameter for option '--by'");
        assertRefused(run("--bootstrap-servers", NOWHERE, "--by", "ops", "show"),
                "routing: Unknown options: '--by', 'ops'");
    }

    @Test
    void anUnreadableCommandConfigIsOneLineAndStatusOne() {
        Run show = run("show", "--command-config", "no-such-file.properties", "--bootstrap-servers", NOWHERE);

        assertThat(show.status()).isEqualTo(1);
        assertThat(show.err()).isEqualTo("routing: cannot read the Kafka client settings: cannot read "
                + "--command-config no-such-file.properties (NoSuchFileException)" + System.lineSeparator());
    }

    private static void assertRefused(Run run, String firstLine) {
        assertThat(run.status()).as(run.err()).isEqualTo(RoutingCommand.REFUSED);
        assertThat(run.err()).startsWith(firstLine).contains("Usage: routing");
        assertThat(run.out()).isEmpty();
    }

    record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RoutingCommand.run(List.of(args), Map.of(), "tester", Clock.systemUTC(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
