package dev.kiwo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void percentilesAreNearestRankObservedValues() {
        double[] hundred = IntStream.rangeClosed(1, 100).mapToDouble(i -> i).toArray();

        Stats stats = Stats.of(hundred);

        assertThat(stats.count()).isEqualTo(100);
        assertThat(stats.p50()).isEqualTo(50);
        assertThat(stats.p95()).isEqualTo(95);
        assertThat(stats.p99()).isEqualTo(99);
        assertThat(stats.max()).isEqualTo(100);
    }

    @Test
    void aSingleSlowValueOutOfTenIsThePercentileAboveNinety() {
        double[] values = {5, 5, 5, 5, 5, 5, 5, 5, 5, 900};

        Stats stats = Stats.of(values);

        assertThat(stats.p50()).isEqualTo(5);
        assertThat(stats.p95()).isEqualTo(900);
        assertThat(stats.p99()).isEqualTo(900);
    }

    @Test
    void ignoresTheOrderOfTheValues() {
        assertThat(Stats.of(new double[] {30, 10, 20})).isEqualTo(Stats.of(new double[] {10, 20, 30}));
    }

    @Test
    void anEmptySetHasACountOfZeroAndNoFigures() {
        Stats stats = Stats.of(new double[0]);

        assertThat(stats.count()).isZero();
        assertThat(stats.p99()).isNaN();
        assertThat(stats.toMap()).containsEntry("count", 0).containsEntry("p99", null);
    }
}
