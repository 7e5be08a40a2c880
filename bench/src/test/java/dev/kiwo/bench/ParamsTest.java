package dev.kiwo.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsTest {

    @Test
    void quickModeTakesTheQuickValues() {
        Params params = new Params(true, Map.of());

        assertThat(params.duration("duration", "30s", "100s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(params.integer("repetitions", 1, 5)).isEqualTo(1);
    }

    @Test
    void defaultModeTakesTheDefaultValues() {
        Params params = new Params(false, Map.of());

        assertThat(params.duration("duration", "30s", "100s")).isEqualTo(Duration.ofSeconds(100));
        assertThat(params.integers("rates", "500", "500,1000, 2000")).containsExactly(500, 1000, 2000);
    }

    @Test
    void anOverrideWinsInEitherMode() {
        Params params = new Params(true, Map.of("light-rate", "8.5", "modes", "split"));

        assertThat(params.number("light-rate", 5, 5)).isEqualTo(8.5);
        assertThat(params.strings("modes", "shared,split", "shared,split")).containsExactly("split");
    }

    @Test
    void reportsTheValuesUsedAndOverridesNothingRead() {
        Params params = new Params(true, Map.of("duration", "45s", "typo", "1"));
        params.duration("duration", "30s", "100s");
        params.number("light-rate", 5, 5);

        assertThat(params.used()).containsEntry("mode", "quick").containsEntry("duration", "45s")
                .containsEntry("light-rate", "5").containsEntry("typo (unused)", "1")
                .doesNotContainKey("duration (unused)");
    }

    @Test
    void readsDurationsInTheUsualUnits() {
        assertThat(Params.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Params.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Params.parseDuration("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void rejectsDurationsInOtherUnits() {
        assertThatThrownBy(() -> Params.parseDuration("10h")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a duration: 10h (use 500ms, 30s or 2m)");
        assertThatThrownBy(() -> Params.parseDuration("soon")).hasMessageStartingWith("not a duration: soon");
    }
}
