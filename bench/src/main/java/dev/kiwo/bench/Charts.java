package dev.kiwo.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots drawn with XChart, headless. */
final class Charts {

    static final int WIDTH = 960;
    static final int HEIGHT = 540;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** A named series of points. */
    record Line(String name, List<Double> x, List<Double> y, boolean scatter) {
    }

    /** A vertical marker with a label, e.g. the start and end of a burst. */
    record Marker(double x, String label) {
    }

    static void timeline(Path file, String title, String xTitle, String yTitle, List<Line> lines,
                         List<Marker> markers, boolean logY) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        double top = 1;
        for (Line line : lines) {
            if (line.x().isEmpty()) {
                continue;
            }
            XYSeries series = chart.addSeries(line.name(), line.x(), line.y());
            if (line.scatter()) {
                series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            } else {
                series.setMarker(SeriesMarkers.NONE);
            }
            top = Math.max(top, line.y().stream().mapToDouble(Double::doubleValue).max().orElse(1));
        }
        for (Marker m : markers) {
            chart.addAnnotation(new AnnotationLine(m.x(), true, false));
            chart.addAnnotation(new AnnotationText(m.label(), m.x(), top, false));
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * Two families of lines over the same x axis: {@code left} on the left y axis, drawn as steps (counts that change
     * at a sample), and {@code right} on a second y axis on the right, drawn as segments with markers.
     */
    static void twoAxes(Path file, String title, String xTitle, String leftTitle, List<Line> left, String rightTitle,
                        List<Line> right, List<Marker> markers) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH + 240).height(HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(leftTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(4);
        // Whole replicas on the left: few enough ticks that none falls between two counts.
        chart.getStyler().setYAxisTickMarkSpacingHint(90);
        chart.getStyler().putYAxisGroupDecimalPatternMap(0, "#,##0");
        chart.getStyler().putYAxisGroupDecimalPatternMap(1, "#,##0");
        chart.getStyler().setYAxisMin(0, 0.0);
        chart.getStyler().setYAxisMin(1, 0.0);
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.setYAxisGroupTitle(0, leftTitle);
        chart.setYAxisGroupTitle(1, rightTitle);
        double top = 1;
        boolean any = false;
        for (Line line : left) {
            if (line.x().isEmpty()) {
                continue;
            }
            XYSeries series = chart.addSeries(line.name(), line.x(), line.y());
            series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
            series.setMarker(SeriesMarkers.NONE);
            series.setYAxisGroup(0);
            top = Math.max(top, line.y().stream().mapToDouble(Double::doubleValue).max().orElse(1));
            any = true;
        }
        // An even maximum keeps the ticks on whole numbers.
        chart.getStyler().setYAxisMax(0, 2 * Math.ceil((top + 1) / 2));
        for (Line line : right) {
            if (line.x().isEmpty()) {
                continue;
            }
            XYSeries series = chart.addSeries(line.name(), line.x(), line.y());
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setYAxisGroup(1);
            any = true;
        }
        if (!any) {
            // XChart cannot draw an empty chart; one invisible point keeps the file (and its axes) there.
            chart.addSeries("no data", List.of(0.0), List.of(0.0)).setMarker(SeriesMarkers.NONE);
        }
        for (Marker m : markers) {
            chart.addAnnotation(new AnnotationLine(m.x(), true, false));
            chart.addAnnotation(new AnnotationText(m.label(), m.x(), top + 0.5, false));
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Grouped bars: one group per category, one bar per series. */
    static void bars(Path file, String title, String yTitle, List<String> categories, Map<String, List<Double>> series)
            throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#,##0.##");
        chart.getStyler().setYAxisMin(0.0);
        series.forEach((name, values) -> chart.addSeries(name, categories, values));
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
