package dev.kiwo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AtMostOncePerTest {

    @Test
    void saysYesFirstThenNotUntilTheIntervalHasPassed() throws InterruptedException {
        AtMostOncePer limit = new AtMostOncePer(Duration.ofMillis(200));

        assertThat(limit.due()).isTrue();
        assertThat(limit.due()).isFalse();
        Thread.sleep(250);
        assertThat(limit.due()).isTrue();
        assertThat(limit.due()).isFalse();
    }
}
