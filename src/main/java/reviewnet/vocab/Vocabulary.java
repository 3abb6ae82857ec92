package reviewnet.vocab;

import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import reviewnet.config.VocabSettings;
import reviewnet.ml.ColumnTransformer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

/**
 * Spark ML estimator of the word index: counts every token of the input column distributedly, keeps the
 * {@link VocabSettings#wordCapacity()} most frequent (ties broken alphabetically, so the result is deterministic)
 * and numbers them from {@link VocabSettings#indexFrom()}. Fit it on the training split only.
 */
public final class Vocabulary extends Estimator<VocabularyModel> {
    private final String uid;
    private final VocabSettings settings;
    private String inputCol = "tokens";
    private String outputCol = "indices";

    public Vocabulary(VocabSettings settings) {
        this(Identifiable.randomUID("vocabulary"), settings);
    }

    public Vocabulary(String uid, VocabSettings settings) {
        this.uid = uid;
        this.settings = settings;
    }

    public Vocabulary setInputCol(String value) {
        inputCol = value;
        return this;
    }

    public Vocabulary setOutputCol(String value) {
        outputCol = value;
        return this;
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return ColumnTransformer.checkedOutputSchema(schema, inputCol,
                DataTypes.createArrayType(DataTypes.StringType, false), outputCol,
                DataTypes.createArrayType(DataTypes.IntegerType, false), uid);
    }

    @Override
    public VocabularyModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        List<Row> top = dataset.select(explode(col(inputCol)).as("word"))
                .groupBy("word").count()
                .orderBy(col("count").desc(), col("word").asc())
                .limit(settings.wordCapacity())
                .collectAsList();
        String[] words = new String[top.size()];
        long[] counts = new long[top.size()];
        for (int i = 0; i < words.length; i++) {
            words[i] = top.get(i).getString(0);
            counts[i] = top.get(i).getLong(1);
        }
        VocabularyModel model = new VocabularyModel(uid, settings, words, counts);
        model.setInputCol(inputCol).setOutputCol(outputCol);
        return model.setParent(this);
    }

    @Override
    public Vocabulary copy(ParamMap extra) {
        return new Vocabulary(uid, settings).setInputCol(inputCol).setOutputCol(outputCol);
    }
}
