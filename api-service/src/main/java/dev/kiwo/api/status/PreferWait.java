package dev.kiwo.api.status;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;

/**
 * The {@code wait} preference of RFC 7240: {@code Prefer: wait=N}, N in seconds. Several preferences may share
 * a header or come in several; parameters after {@code ;} are ignored, and so is a {@code wait} that is not a
 * number of seconds, as the RFC asks of preferences a server cannot honour. Longer waits are cut to the
 * configured maximum; {@code Preference-Applied} says what was applied.
 */
public final class PreferWait {

    public static final String PREFER = "Prefer";
    public static final String PREFERENCE_APPLIED = "Preference-Applied";

    private PreferWait() {
    }

    /** The wait asked for in the {@code Prefer} header values, at most {@code max}. */
    public static Optional<Duration> parse(List<String> headerValues, Duration max) {
        if (headerValues == null) {
            return Optional.empty();
        }
        for (String header : headerValues) {
            for (String preference : header.split(",")) {
                String token = preference.split(";", 2)[0].trim();
                int equals = token.indexOf('=');
                if (equals < 0 || !token.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("wait")) {
                    continue;
                }
                String value = token.substring(equals + 1).trim().replace("\"", "");
                if (!value.isEmpty() && value.length() <= 9 && value.chars().allMatch(Character::isDigit)) {
                    Duration wanted = Duration.ofSeconds(Long.parseLong(value));
                    return Optional.of(wanted.compareTo(max) > 0 ? max : wanted);
                }
            }
        }
        return Optional.empty();
    }

    /** The {@code Preference-Applied} value for a wait. */
    private static String applied(Duration wait) {
        return "wait=" + wait.toSeconds();
    }

    /**
     * The headers of an answer that {@code Prefer: wait} can change: {@code Vary: Prefer} always, so a cache keeps
     * the two answers apart, and {@code Preference-Applied} when a wait was honoured.
     */
    public static ResponseEntity.BodyBuilder headers(ResponseEntity.BodyBuilder answer, Optional<Duration> wait) {
        answer.header(HttpHeaders.VARY, PREFER);
        wait.ifPresent(applied -> answer.header(PREFERENCE_APPLIED, applied(applied)));
        return answer;
    }
}
