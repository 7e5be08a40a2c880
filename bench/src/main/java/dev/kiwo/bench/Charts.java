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
