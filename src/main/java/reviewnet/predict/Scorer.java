package reviewnet.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import reviewnet.baseline.TfidfLogisticRegression;
import reviewnet.config.JobConfig;
import reviewnet.config.SequenceSettings;
import reviewnet.config.TextSettings;
import reviewnet.eval.DistributedEvaluator;
import reviewnet.eval.Metrics;
import reviewnet.eval.ModelStore;
import reviewnet.sequence.SequencePadder;
import reviewnet.config.BigramSettings;
import reviewnet.config.ModelSettings;
import reviewnet.io.HadoopFiles;
import reviewnet.nn.Architectures;
import reviewnet.nn.recurrent.FoldedInference;
import reviewnet.train.Features;
import reviewnet.vocab.BigramHasher;
import reviewnet.text.LuceneTokenizer;
import reviewnet.train.DataSets;
import reviewnet.vocab.VocabularyModel;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

/**
 * Scores raw review text with a saved model ({@link ModelStore} layout): the same Lucene analysis, vocabulary and
 * padding as in training (read from the model's own {@code model.json} and {@code vocabulary/}), then the network
 * on the executors, restored once per partition from a broadcast copy of {@code model.zip}.
 */
public final class Scorer {
    public static final StructType SCORES = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("source", DataTypes.StringType, false)
            .add("probability", DataTypes.DoubleType, false)
            .add("prediction", DataTypes.IntegerType, false);

    private final String modelDir;
    private final TextSettings text;
    private final SequenceSettings sequence;
    private final BigramSettings bigrams;
    private final Features features;
    private final String version;

    private Scorer(String modelDir, TextSettings text, SequenceSettings sequence, BigramSettings bigrams,
                   Features features, String version) {
        this.modelDir = modelDir;
        this.text = text;
        this.sequence = sequence;
        this.bigrams = bigrams;
        this.features = features;
        this.version = version;
    }

    public static Scorer load(SparkSession spark, String modelDir, String version) {
        Path info = new Path(modelDir, ModelStore.INFO);
        try {
            FileSystem fs = info.getFileSystem(spark.sparkContext().hadoopConfiguration());
            JsonNode json;
            try (InputStream in = fs.open(info)) {
                json = new ObjectMapper().readTree(in);
            }
            Config config = JobConfig.resolve(ConfigFactory.parseString(json.path("config").asText())
                    .atKey(JobConfig.ROOT));
            String architecture = json.path("architecture").asText();
            Features features = Architectures.names().contains(architecture)
                    ? Features.of(Architectures.get(architecture), ModelSettings.from(config))
                    : Features.WORDS;
            return new Scorer(modelDir, TextSettings.from(config), SequenceSettings.from(config),
                    BigramSettings.from(config), features, version);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model " + modelDir + " (" + ModelStore.INFO + ")", e);
        }
    }

    public String version() {
        return version;
    }

    /**
     * The reviews (a {@code text} column and any others, which are kept) as this model's input: its own Lucene
     * analysis, vocabulary and padding, in a new {@code seq} column, and the hashed bigrams ({@code bigrams}, as
     * prepare writes them) when the network reads them (the {@code text} column is dropped).
     */
    public Dataset<Row> sequences(SparkSession spark, Dataset<Row> reviews) {
        VocabularyModel vocabulary = VocabularyModel.load(spark, new Path(modelDir, ModelStore.VOCABULARY).toString());
        Dataset<Row> tokens = new LuceneTokenizer(text).setInputCol("text").setOutputCol("tokens").transform(reviews);
        Dataset<Row> seq = new SequencePadder(sequence).setInputCol("indices").setOutputCol(Features.SEQ)
                .transform(vocabulary.setInputCol("tokens").setOutputCol("indices").transform(tokens));
        if (features.columns().contains(Features.BIGRAMS)) {
            seq = new BigramHasher(bigrams).setInputCol("tokens").setOutputCol("bigram_ids")
                    .transformPadded(seq, sequence, Features.BIGRAMS);
        }
        return seq.drop("text", "tokens", "indices");
    }

    private Column[] columns(String... first) {
        List<Column> columns = new ArrayList<>();
        for (String c : first) {
            columns.add(col(c));
        }
        features.columns().forEach(c -> columns.add(col(c)));
        return columns.toArray(new Column[0]);
    }

    /** The saved network, restored on the driver. */
    public MultiLayerNetwork network(SparkSession spark) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(modelBytes(spark)), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the model " + modelDir, e);
        }
    }

    /** Whether this model is the tfidf-lr baseline (a Spark ML PipelineModel) rather than a network. */
    public boolean isPipeline(SparkSession spark) {
        return HadoopFiles.exists(spark, new Path(modelDir, TfidfLogisticRegression.PIPELINE), "the model");
    }

    private Dataset<Row> tokens(Dataset<Row> reviews) {
        return new LuceneTokenizer(text).setInputCol("text").setOutputCol("tokens").transform(reviews).drop("text");
    }

    private PipelineModel pipeline() {
        return PipelineModel.load(new Path(modelDir, TfidfLogisticRegression.PIPELINE).toString());
    }

    /**
     * The model's metrics on labelled reviews ({@code label}, {@code text}), by the same {@link Metrics#of} as every
     * evaluation: a network through {@link DistributedEvaluator} (one pass, {@code batchSize} reviews per forward pass,
     * {@code partitions} tasks) on its own analysis, vocabulary and padding; the baseline through its pipeline.
     */
    public Metrics evaluate(SparkSession spark, Dataset<Row> reviews, int batchSize, int partitions) {
        if (isPipeline(spark)) {
            return TfidfLogisticRegression.evaluate(pipeline(), tokens(reviews.select("label", "text")));
        }
        return DistributedEvaluator.evaluate(network(spark), DataSets.minibatches(
                sequences(spark, reviews.select("label", "text")).select(columns("label")), batchSize, partitions,
                features), batchSize);
    }

    /** Scores rows with columns {@code id}, {@code source}, {@code text}: id, source, probability, prediction. */
    public Dataset<Row> score(SparkSession spark, Dataset<Row> reviews, int batchSize) {
        if (isPipeline(spark)) {
            Column p = TfidfLogisticRegression.positiveProbability();
            return pipeline().transform(tokens(reviews.select("id", "source", "text")))
                    .select(col("id"), col("source"), p.as("probability"),
                            when(p.gt(0.5), 1).otherwise(0).as("prediction"));
        }
        Dataset<Row> sequences = sequences(spark, reviews.select("id", "source", "text"))
                .select(columns("id", "source"));
        Broadcast<byte[]> model = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(modelBytes(spark));
        int width = features.width(sequence.length());
        Features f = features;
        return sequences.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> scoreAll(rows, model, f, width,
                batchSize), Encoders.row(SCORES));
    }

    private byte[] modelBytes(SparkSession spark) {
        Path zip = new Path(modelDir, ModelStore.MODEL);
        try (InputStream in = zip.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(zip)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + zip, e);
        }
    }

    private static Iterator<Row> scoreAll(Iterator<Row> rows, Broadcast<byte[]> model, Features f, int width,
                                          int batchSize) throws IOException {
        if (!rows.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(model.value()),
                false);
        UnaryOperator<INDArray> inference = FoldedInference.inference(network);   // as the evaluation scores
        List<Row> out = new ArrayList<>();
        List<Row> batch = new ArrayList<>(batchSize);
        while (rows.hasNext()) {
            batch.add(rows.next());
            if (batch.size() == batchSize || !rows.hasNext()) {
                float[] features = new float[batch.size() * width];
                for (int i = 0; i < batch.size(); i++) {
                    f.fill(batch.get(i), 2, features, i * width);
                }
                INDArray p = inference.apply(Nd4j.create(features, new long[]{batch.size(), width}));
                for (int i = 0; i < batch.size(); i++) {
                    double probability = p.getDouble(i, 0);
                    out.add(RowFactory.create(batch.get(i).getString(0), batch.get(i).getString(1), probability,
                            probability > 0.5 ? 1 : 0));
                }
                batch.clear();
            }
        }
        return out.iterator();
    }
}
