package dev.kiwo.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownTest {

    @Test
    void writesATableWithNumericColumnsAlignedRight() {
        String table = Markdown.table(List.of("mode", "p99", "jobs (n)"),
                List.of(List.of("split", "12.5", "40"), List.of("a|b", "–", "0")));

        assertThat(table).isEqualTo("""
                | mode | p99 | jobs (n) |
                |---|---:|---:|
                | split | 12.5 | 40 |
                | a\\|b | – | 0 |
                """);
    }

    @Test
    void rejectsARowOfTheWrongWidth() {
        assertThatThrownBy(() -> Markdown.table(List.of("a", "b"), List.of(List.of("1"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsFiguresAndMissingOnes() {
        assertThat(Markdown.ms(12.345)).isEqualTo("12.3");
        assertThat(Markdown.ms(4321.6)).isEqualTo("4322");
        assertThat(Markdown.ms(Double.NaN)).isEqualTo("–");
        assertThat(Markdown.ratio(1.234)).isEqualTo("1.23×");
        assertThat(Markdown.rate(12345.6)).isEqualTo("12,346");
        assertThat(Markdown.divide(1, 0)).isNaN();
        assertThat(Markdown.divide(3, 2)).isEqualTo(1.5);
    }
}
