package reviewnet.baseline;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.IDF;
import org.apache.spark.ml.feature.NGram;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import reviewnet.config.BaselineSettings;
import reviewnet.eval.Metrics;
import reviewnet.eval.Evaluated;
import reviewnet.eval.Scores;
import reviewnet.eval.SplitMetrics;

import static org.apache.spark.sql.functions.col;

/**
 * The {@code tfidf-lr} baseline as a Spark ML {@link Pipeline} over a {@code tokens} column (the full review's Lucene
 * tokens) and a {@code label} column: {@link NGram} bigrams beside the unigrams, {@link CountVectorizer} (terms in at
 * least {@code min-doc-freq} training reviews), {@link IDF}, L2 {@link Normalizer}, {@link LogisticRegression} (L2,
 * no standardization: the features are already normalized), fitted distributedly by Spark MLlib. The fitted
 * {@link PipelineModel} is saved and loaded with Spark ML's own writer.
 */
public final class TfidfLogisticRegression {
    public static final String NAME = "tfidf-lr";
    /** The folder of the saved PipelineModel inside a model directory. */
    public static final String PIPELINE = "pipeline";

    private TfidfLogisticRegression() {
    }

    public static Pipeline pipeline(BaselineSettings settings) {
        NGram bigrams = new NGram().setN(2).setInputCol("tokens").setOutputCol("bigrams");
        SQLTransformer terms = new SQLTransformer()
                .setStatement("SELECT *, concat(tokens, bigrams) AS terms FROM __THIS__");
        CountVectorizer counts = new CountVectorizer().setInputCol("terms").setOutputCol("tf")
                .setMinDF(settings.minDocFreq()).setVocabSize(settings.maxFeatures());
        IDF idf = new IDF().setInputCol("tf").setOutputCol("tfidf");
        Normalizer l2 = new Normalizer().setP(2).setInputCol("tfidf").setOutputCol("features");
        LogisticRegression lr = new LogisticRegression().setFeaturesCol("features").setLabelCol("label")
                .setRegParam(settings.regParam()).setElasticNetParam(0).setStandardization(false)
                .setMaxIter(settings.maxIter());
        return new Pipeline().setStages(new PipelineStage[] {bigrams, terms, counts, idf, l2, lr});
    }

    /** Fits on rows with {@code tokens} (array of strings) and {@code label} (0/1). */
    public static PipelineModel fit(BaselineSettings settings, Dataset<Row> train) {
        return pipeline(settings).fit(train.select(col("tokens"), col("label").cast("double").as("label")));
    }

    /** The number of coefficients and the intercept. */
    public static long parameters(PipelineModel model) {
        LogisticRegressionModel lr = (LogisticRegressionModel) model.stages()[model.stages().length - 1];
        return lr.numFeatures() + 1L;
    }

    /** The positive class's probability in the pipeline's output (LogisticRegression's {@code probability}). */
    public static Column positiveProbability() {
        return functions.vector_to_array(col("probability"), "float64").getItem(1);
    }

    /** The probability of the positive class per row, with the row's label (and its id when the rows have one). */
    public static Dataset<Row> probabilities(PipelineModel model, Dataset<Row> rows) {
        boolean ids = java.util.Arrays.asList(rows.columns()).contains("id");
        Dataset<Row> input = ids ? rows.select(col("tokens"), col("label"), col("id"))
                : rows.select(col("tokens"), col("label"));
        Dataset<Row> scored = model.transform(input);
        return ids ? scored.select(positiveProbability().as("p"), col("label").cast("float").as("label"), col("id"))
                : scored.select(positiveProbability().as("p"), col("label").cast("float").as("label"));
    }

    /** Metrics of the model on labelled rows, computed by {@link SplitMetrics} like every network's. */
    public static Metrics evaluate(PipelineModel model, Dataset<Row> test) {
        try (Evaluated evaluated = evaluated(model, test)) {
            return evaluated.metrics();
        }
    }

    /** {@link #evaluate}, keeping the scored blocks (with the rows' ids, when they have an id column). */
    public static Evaluated evaluated(PipelineModel model, Dataset<Row> test) {
        long started = System.nanoTime();
        return Evaluated.of(probabilities(model, test).toJavaRDD().mapPartitions(rows -> {
            List<Row> all = new ArrayList<>();
            rows.forEachRemaining(all::add);
            float[] p = new float[all.size()];
            float[] y = new float[all.size()];
            boolean withIds = !all.isEmpty() && all.get(0).length() > 2;
            String[] ids = withIds ? new String[all.size()] : null;
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) all.get(i).getDouble(0);
                y[i] = all.get(i).getFloat(1);
                if (withIds) {
                    ids[i] = all.get(i).getString(2);
                }
            }
            return List.of(new Scores(p, y, ids)).iterator();
        }), started, () -> { });
    }
}
