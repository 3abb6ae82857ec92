package reviewnet.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import reviewnet.eval.ResultRow;

/**
 * PNG chart (JFreeChart) of the validation metric per epoch, one line per architecture (from the rows'
 * {@code validation_history}); architectures trained without validation have no line. Written beside the
 * accuracy-vs-time chart by {@link AccuracyChart#write}.
 */
public final class LearningCurveChart {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LearningCurveChart() {
    }

    /** Whether any row has a validation history to draw. */
    public static boolean hasCurves(List<ResultRow> results) {
        return results.stream().anyMatch(r -> !history(r).isEmpty());
    }

    /** {@code metric}: "loss" (validation log loss) or "accuracy" (validation accuracy). */
    public static JFreeChart chart(String title, List<ResultRow> results, String metric) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (ResultRow r : results) {
            JsonNode history = history(r);
            if (history.isEmpty()) {
                continue;
            }
            XYSeries series = new XYSeries(r.architecture() + (r.repeat() > 1 ? " r" + r.repeat() : "")
                    + " (best: epoch " + r.bestEpoch() + ")");
            for (JsonNode epoch : history) {
                series.add(epoch.path("epoch").asInt(), epoch.path(metric).asDouble());
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", "validation " + metric, data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = (XYLineAndShapeRenderer) plot.getRenderer();
        renderer.setDefaultShapesVisible(true);
        renderer.setDefaultStroke(new BasicStroke(2f));
        return chart;
    }

    private static JsonNode history(ResultRow r) {
        try {
            return JSON.readTree(r.validationHistory() == null ? "[]" : r.validationHistory());
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable validation history of " + r.architecture(), e);
        }
    }
}
