package reviewnet.baseline;

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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import reviewnet.config.BaselineSettings;

import static org.apache.spark.sql.functions.col;

/**
 * The {@code tfidf-lr} baseline as a Spark ML {@link Pipeline} over a {@code tokens} column (the full review's Lucene
 * tokens) and a {@code label} column: {@link NGram} bigrams beside the unigrams, {@link CountVectorizer} (terms in at
 * least {@code min-doc-freq} training reviews), {@link IDF}, L2 {@link Normalizer}, {@link LogisticRegression} (L2,
 * no standardization: the features are already normalized), fitted distributedly by Spark MLlib. The saved model is
 * this pipeline's fitted stages behind the Lucene analysis ({@code ReviewModels.baseline}), scoring from the text.
 */
public final class TfidfLogisticRegression {
    public static final String NAME = "tfidf-lr";

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
}
