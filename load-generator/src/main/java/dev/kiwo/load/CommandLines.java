package dev.kiwo.load;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * What the module's commands (the load generator, the replay, the audit) share: options as {@code --x v} or
 * {@code --x=v}, the last of a repeated option wins (scripts pass their defaults, then the caller's flags),
 * durations as {@code 500ms}, {@code 30s}, {@code 2m}, and bad usage answered with one line, the synopsis and
 * exit status 2.
 */
final class CommandLines {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private CommandLines() {
    }

    static CommandLine of(Object command, PrintStream out, PrintStream err) {
        return new CommandLine(command)
                .setOverwrittenOptionsAllowed(true)
                .setCaseInsensitiveEnumValuesAllowed(true)
                // a value such as --json @file is a file name, not a file of arguments
                .setExpandAtFiles(false)
                .registerConverter(Duration.class, CommandLines::duration)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setParameterExceptionHandler((refused, ignored) -> {
                    CommandLine refusing = refused.getCommandLine();
                    String name = refusing.getCommandSpec().qualifiedName();
                    refusing.getErr().println(name + ": " + refused.getMessage());
                    refusing.getErr().print(refusing.getHelp().fullSynopsis());
                    refusing.getErr().println("More: " + name + " --help");
                    return CommandLine.ExitCode.USAGE;
                });
    }

    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("not a duration: " + text + " (use e.g. 500ms, 30s, 2m)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
