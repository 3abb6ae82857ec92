package example;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark job of your own that uses a model reviewnet trained: load it, score reviews, evaluate with Spark's own
 * evaluators. Arguments: the model directory (compare's models/RUN/ARCHITECTURE or a registry version), reviews as
 * Parquet with a "text" column (and "label", 0 or 1, to evaluate), and where to write the scores (the reviews'
 * columns but the text, with "probability" and "prediction").
 */
public final class ScoreReviews {
    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().appName("score-reviews").getOrCreate();
        PipelineModel model = PipelineModel.load(args[0]);
        Dataset<Row> reviews = spark.read().parquet(args[1]);
        Dataset<Row> scored = model.transform(reviews);
        List<Column> out = new ArrayList<>();
        for (String column : reviews.columns()) {
            if (!column.equals("text")) {
                out.add(col(column));
            }
        }
        out.add(col("probability"));
        out.add(col("prediction"));
        scored.select(out.toArray(new Column[0])).write().parquet(args[2]);
        if (java.util.Arrays.asList(reviews.columns()).contains("label")) {
            System.out.printf("AUC %.4f, accuracy %.4f%n", auc(scored), accuracy(scored));
        }
        spark.stop();
    }

    /** Area under the ROC curve of the model's rawPrediction against the label. */
    public static double auc(Dataset<Row> scored) {
        return new BinaryClassificationEvaluator().setLabelCol("label").setRawPredictionCol("rawPrediction")
                .setMetricName("areaUnderROC").evaluate(scored);
    }

    /** The fraction of reviews whose prediction (0.0 or 1.0) is their label. */
    public static double accuracy(Dataset<Row> scored) {
        return new MulticlassClassificationEvaluator().setLabelCol("label").setPredictionCol("prediction")
                .setMetricName("accuracy").evaluate(scored);
    }
}
