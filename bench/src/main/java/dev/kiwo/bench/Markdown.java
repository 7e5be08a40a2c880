package dev.kiwo.bench;

import java.util.List;
import java.util.Locale;

/** Small formatting helpers for the markdown summaries. */
final class Markdown {

    private Markdown() {
    }

    static String table(List<String> headers, List<List<String>> rows) {
        StringBuilder out = new StringBuilder();
        row(out, headers);
        out.append('|');
        for (int column = 0; column < headers.size(); column++) {
            out.append(isNumeric(rows, column) ? "---:|" : "---|");
        }
        out.append('\n');
        for (List<String> r : rows) {
            if (r.size() != headers.size()) {
                throw new IllegalArgumentException("row " + r + " has " + r.size() + " cells, expected " + headers.size());
            }
            row(out, r);
        }
        return out.toString();
    }

    /** Milliseconds with a precision that suits their size; a dash when there is no value. */
    static String ms(double value) {
        if (!Double.isFinite(value)) {
            return "–";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    static String ratio(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f×", value) : "–";
    }

    static String rate(double perSecond) {
        return Double.isFinite(perSecond) ? String.format(Locale.ROOT, "%,.0f", perSecond) : "–";
    }

    static String number(double value, int decimals) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : "–";
    }

    /** a / b, NaN when either is missing or b is zero. */
    static double divide(double a, double b) {
        return Double.isFinite(a) && Double.isFinite(b) && b != 0 ? a / b : Double.NaN;
    }

    private static void row(StringBuilder out, List<String> cells) {
        out.append('|');
        for (String c : cells) {
            out.append(' ').append(c.replace("|", "\\|")).append(" |");
        }
        out.append('\n');
    }

    // Columns of figures are right-aligned.
    private static boolean isNumeric(List<List<String>> rows, int column) {
        return !rows.isEmpty() && rows.stream().allMatch(r -> r.size() > column
                && r.get(column).matches("[–\\d.,×%+-]+"));
    }
}
