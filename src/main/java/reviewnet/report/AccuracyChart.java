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
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG chart (JFreeChart) of test accuracy against training time, one labelled point per architecture. */
public final class AccuracyChart {
    private AccuracyChart() {
    }

    public static JFreeChart chart(String title, List<ResultRow> results) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (ResultRow r : results) {
            XYSeries series = new XYSeries(r.architecture());
            series.add(r.trainSeconds(), r.accuracy());
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createScatterPlot(title, "training time (s)", "test accuracy", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = (XYLineAndShapeRenderer) plot.getRenderer();
        renderer.setDefaultStroke(new BasicStroke(2f));
        for (ResultRow r : results) {
            XYTextAnnotation label = new XYTextAnnotation("  " + r.architecture(), r.trainSeconds(), r.accuracy());
            label.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            label.setTextAnchor(org.jfree.chart.ui.TextAnchor.CENTER_LEFT);
            plot.addAnnotation(label);
        }
        return chart;
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
