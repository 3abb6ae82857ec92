package reviewnet.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import reviewnet.eval.ResultRow;
import reviewnet.eval.Uncertainty;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * PNG chart (JFreeChart) of test accuracy against training time, one labelled point per architecture with an error bar.
 */
public final class AccuracyChart {
    private AccuracyChart() {
    }

    /**
     * One point per architecture at its mean training time and mean test accuracy, with an error bar over the
     * summary's 95% interval.
     */
    public static JFreeChart chart(String title, List<Uncertainty.Summary> summaries, List<ResultRow> results) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (Uncertainty.Summary s : summaries) {
            double seconds = results.stream().filter(r -> r.architecture().equals(s.architecture()))
                    .mapToDouble(ResultRow::trainSeconds).average().orElse(0);
            YIntervalSeries series = new YIntervalSeries(s.architecture());
            series.add(seconds, s.accuracyMean(), s.accuracy().low(), s.accuracy().high());
            data.addSeries(series);
        }
        NumberAxis x = new NumberAxis("training time (s, mean over repeats)");
        NumberAxis y = new NumberAxis("test accuracy (mean, 95% interval)");
        y.setAutoRangeIncludesZero(false);
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDrawXError(false);
        renderer.setDefaultStroke(new BasicStroke(2f));
        renderer.setErrorStroke(new BasicStroke(1.5f));
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            XYTextAnnotation label = new XYTextAnnotation("  " + data.getSeriesKey(i), data.getXValue(i, 0),
                    data.getYValue(i, 0));
            label.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            label.setTextAnchor(org.jfree.chart.ui.TextAnchor.CENTER_LEFT);
            plot.addAnnotation(label);
        }
        return new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    }

    public static void write(JFreeChart chart, FileSystem fs, Path path) throws IOException {
        Path tmp = new Path(path.getParent(), "." + path.getName() + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
            ChartUtils.writeChartAsPNG(out, chart, 900, 600);
        }
        fs.delete(path, false);
        if (!fs.rename(tmp, path)) {
            throw new IOException("cannot rename " + tmp + " to " + path);
        }
    }
}
