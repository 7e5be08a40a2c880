package dev.kiwo.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class RoutingConfigTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final RoutingConfig SEED = RoutingConfig.seed(50, 200, 50, NOW);

    @Test
    void theSeedIsVersionOneInRuleModeWithTheDefaultBudget() {
        assertThat(SEED.version()).isEqualTo(1);
        assertThat(SEED.mode()).isEqualTo(DecisionMode.RULE);
        assertThat(SEED.modelBudgetMs()).isEqualTo(1000);
        assertThat(SEED.changedBy()).isEqualTo("seed");
    }

    @Test
    void aChangeIsTheNextVersionWithOnlyTheGivenKeysChanged() {
        RoutingConfig next = SEED.with(Map.of("pageCount", "150", "mode", "shadow"), "ops", NOW.plusSeconds(1));

        assertThat(next).isEqualTo(new RoutingConfig(50, 150, 50, DecisionMode.SHADOW, 1000L, 2, "ops",
                NOW.plusSeconds(1)));
    }

    @Test
    void unknownKeysAndBadValuesAreRejectedWithTheirName() {
        assertThatThrownBy(() -> SEED.with(Map.of("pageCont", "10"), "ops", NOW))
                .hasMessage("unknown key pageCont: expected one of fileSizeMb, imageCount, mode, modelBudgetMs, "
                        + "pageCount");
        assertThatThrownBy(() -> SEED.with(Map.of("pageCount", "many"), "ops", NOW))
                .hasMessage("pageCount=many is not a valid number");
        assertThatThrownBy(() -> SEED.with(Map.of("mode", "guess"), "ops", NOW))
                .hasMessage("mode=guess is not a valid mode: expected rule, shadow or model");
        assertThatThrownBy(() -> SEED.with(Map.of("fileSizeMb", "-1"), "ops", NOW))
                .hasMessage("fileSizeMb must be a finite number > 0, was -1.0");
        assertThatThrownBy(() -> SEED.with(Map.of("modelBudgetMs", "0"), "ops", NOW))
                .hasMessageContaining("modelBudgetMs must be > 0");
        assertThatThrownBy(() -> SEED.with(Map.of(), "ops", NOW)).hasMessageContaining("nothing to change");
    }

    @Test
    void aBadValueAfterAGoodOneChangesNothing() {
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("pageCount", "100");
        changes.put("imageCount", "0");

        assertThatThrownBy(() -> SEED.with(changes, "ops", NOW)).hasMessage("imageCount must be > 0, was 0");
        assertThat(SEED.pageCount()).isEqualTo(200);
    }

    @Test
    void travelsAsJsonAndAnInvalidRecordCannotBeRead() {
        JsonSerde<RoutingConfig> serde = new JsonSerde<>(RoutingConfig.class);
        byte[] json = serde.serializer().serialize("jobs.routing", SEED);

        assertThat(serde.deserializer().deserialize("jobs.routing", json)).isEqualTo(SEED);
        byte[] invalid = new String(json, StandardCharsets.UTF_8).replace("\"pageCount\":200", "\"pageCount\":0")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> serde.deserializer().deserialize("jobs.routing", invalid))
                .isInstanceOf(SerializationException.class).hasMessageContaining("pageCount must be > 0");
    }
}
