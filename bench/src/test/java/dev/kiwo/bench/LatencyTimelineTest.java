package dev.kiwo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.bench.LatencyTimeline.Phase;
import dev.kiwo.bench.LatencyTimeline.Sample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyTimelineTest {

    private final LatencyTimeline timeline = new LatencyTimeline(List.of(
            new Sample(0.5, 900),   // warm-up
            new Sample(2.0, 10), new Sample(3.0, 20), new Sample(4.9, 30),
            new Sample(5.0, 400), new Sample(7.0, 500), new Sample(9.99, 600),
            new Sample(10.0, 15), new Sample(12.0, 25)));

    @Test
    void cutsSamplesIntoPhasesBySubmissionTime() {
        Map<Phase, Stats> phases = timeline.phases(1.0, 5.0, 10.0);

        assertThat(phases.get(Phase.BEFORE).count()).isEqualTo(3);
        assertThat(phases.get(Phase.BEFORE).max()).isEqualTo(30);
        assertThat(phases.get(Phase.DURING).count()).isEqualTo(3);
        assertThat(phases.get(Phase.DURING).p50()).isEqualTo(500);
        assertThat(phases.get(Phase.AFTER).count()).isEqualTo(2);
        assertThat(phases.get(Phase.AFTER).max()).isEqualTo(25);
    }

    @Test
    void leavesTheWarmUpOutOfEveryPhase() {
        Map<Phase, Stats> phases = timeline.phases(1.0, 5.0, 10.0);

        assertThat(phases.values()).extracting(Stats::max).doesNotContain(900.0);
    }

    @Test
    void withoutABurstEverythingAfterTheWarmUpIsBefore() {
        Map<Phase, Stats> phases = timeline.phases(1.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);

        assertThat(phases.get(Phase.BEFORE).count()).isEqualTo(8);
        assertThat(phases.get(Phase.DURING).count()).isZero();
    }

    @Test
    void groupsSamplesIntoWindowsAndSkipsEmptyOnes() {
        List<LatencyTimeline.Window> windows = timeline.windows(5.0);

        assertThat(windows).extracting(LatencyTimeline.Window::fromSeconds).containsExactly(0.0, 5.0, 10.0);
        assertThat(windows.get(0).stats().count()).isEqualTo(4);
        assertThat(windows.get(1).stats().max()).isEqualTo(600);

        assertThat(timeline.windows(1.0)).extracting(LatencyTimeline.Window::fromSeconds)
                .containsExactly(0.0, 2.0, 3.0, 4.0, 5.0, 7.0, 9.0, 10.0, 12.0);
    }
}
