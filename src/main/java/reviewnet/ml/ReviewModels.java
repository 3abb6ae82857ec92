package reviewnet.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import reviewnet.config.BigramSettings;
import reviewnet.config.JobConfig;
import reviewnet.config.ModelSettings;
import reviewnet.config.SequenceSettings;
import reviewnet.config.TextSettings;
import reviewnet.eval.Evaluated;
import reviewnet.eval.Scores;
import reviewnet.io.AtomicDirectory;
import reviewnet.io.HadoopFiles;
import reviewnet.nn.Architectures;
import reviewnet.sequence.SequencePadder;
import reviewnet.text.LuceneTokenizer;
import reviewnet.train.Features;
import reviewnet.vocab.BigramHasher;
import reviewnet.vocab.VocabularyModel;

import static org.apache.spark.sql.functions.col;

/**
 * Every trained model as one Spark ML {@link PipelineModel} from raw review text: Lucene analysis → vocabulary →
 * padding ({@code seq}; for networks that read bigrams also the hashed, padded {@code bigrams}) →
 * {@link NetworkClassificationModel}, or, for the {@code tfidf-lr} baseline, Lucene analysis → its fitted Spark ML
 * stages. Input column {@code text}; outputs {@code rawPrediction}, {@code probability} (vectors of two) and
 * {@code prediction} (0.0/1.0), Spark's classifier columns; the intermediate columns ({@code tokens},
 * {@code indices}, {@code seq}, ...) stay, as in any Spark pipeline.
 *
 * <p>A model directory (compare's {@code models/<run>/<architecture>/}, a registry version) is the PipelineModel's
 * own layout ({@code metadata/}, {@code stages/}) beside the product's {@code model.json}, so
 * {@code PipelineModel.load(dir)} is all a Spark job needs (with reviewnet's jar on the classpath). {@link #load}
 * also assembles the same pipeline from the layout earlier versions saved ({@code model.zip} + {@code vocabulary/},
 * or {@code pipeline/} for the baseline, each with {@code model.json}), so registries from before keep working.
 */
public final class ReviewModels {
    public static final String TEXT = "text";
    private static final String TOKENS = "tokens";
    private static final String INDICES = "indices";
    private static final String BIGRAM_IDS = "bigram_ids";
    /** The files of the layout before models were PipelineModels. */
    private static final String LEGACY_NETWORK = "model.zip";
    private static final String LEGACY_VOCABULARY = "vocabulary";
    private static final String LEGACY_BASELINE = "pipeline";
    private static final String INFO = "model.json";

    private ReviewModels() {
    }

    /** A network with the analysis, vocabulary and padding it was trained with. */
    public static PipelineModel network(SparkSession spark, MultiLayerNetwork net, VocabularyModel vocabulary,
                                        TextSettings text, SequenceSettings sequence, BigramSettings bigrams,
                                        Features features) {
        List<Transformer> stages = new ArrayList<>();
        stages.add(new LuceneTokenizer(text).setInputCol(TEXT).setOutputCol(TOKENS));
        stages.add(vocabulary.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol(TOKENS)
                .setOutputCol(INDICES));
        stages.add(new SequencePadder(sequence).setInputCol(INDICES).setOutputCol(Features.SEQ));
        if (features.columns().contains(Features.BIGRAMS)) {
            stages.add(new BigramHasher(bigrams).setInputCol(TOKENS).setOutputCol(BIGRAM_IDS));
            stages.add(new SequencePadder(sequence).setInputCol(BIGRAM_IDS).setOutputCol(Features.BIGRAMS));
        }
        stages.add(NetworkClassificationModel.of(net, features));
        return assemble(spark, stages);
    }

    /** The baseline's stages fitted on {@code tokens}, behind the Lucene analysis of {@code text}. */
    public static PipelineModel baseline(SparkSession spark, TextSettings text, PipelineModel onTokens) {
        List<Transformer> stages = new ArrayList<>();
        stages.add(new LuceneTokenizer(text).setInputCol(TEXT).setOutputCol(TOKENS));
        stages.addAll(Arrays.asList(onTokens.stages()));
        return assemble(spark, stages);
    }

    /**
     * The stages as one PipelineModel, through Spark's public way ({@link Pipeline#fit} of transformers only, which
     * passes no data); it checks the stages' schemas in a chain from a {@code text} column first.
     */
    private static PipelineModel assemble(SparkSession spark, List<Transformer> stages) {
        StructType input = new StructType().add(TEXT, DataTypes.StringType);
        return new Pipeline().setStages(stages.toArray(new PipelineStage[0]))
                .fit(spark.createDataFrame(List.of(), input));
    }

    /**
     * Writes the model into a model directory being committed. First, before any other file: Spark's writer replaces
     * the directory it writes.
     */
    public static void save(PipelineModel model, AtomicDirectory out) {
        try {
            model.write().overwrite().save(out.staging().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model into " + out.staging(), e);
        }
    }

    /** The model in {@code dir}: a PipelineModel, or one assembled from an earlier version's layout. */
    public static PipelineModel load(SparkSession spark, String dir) {
        if (HadoopFiles.exists(spark, new Path(dir, "metadata").toString(), "the model")) {
            return PipelineModel.load(dir);
        }
        Legacy legacy = Legacy.read(spark, dir);
        TextSettings text = TextSettings.from(legacy.config());
        if (HadoopFiles.exists(spark, new Path(dir, LEGACY_BASELINE).toString(), "the model")) {
            return baseline(spark, text, PipelineModel.load(new Path(dir, LEGACY_BASELINE).toString()));
        }
        Features features = Architectures.names().contains(legacy.architecture())
                ? Features.of(Architectures.get(legacy.architecture()), ModelSettings.from(legacy.config()))
                : Features.WORDS;
        Path zip = new Path(dir, LEGACY_NETWORK);
        MultiLayerNetwork net;
        try (InputStream in = zip.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(zip)) {
            net = ModelSerializer.restoreMultiLayerNetwork(in, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the network " + zip, e);
        }
        return network(spark, net, VocabularyModel.load(spark, new Path(dir, LEGACY_VOCABULARY).toString()), text,
                SequenceSettings.from(legacy.config()), BigramSettings.from(legacy.config()), features);
    }

    /** What an earlier version's {@code model.json} recorded: the run's settings and the architecture. */
    private record Legacy(Config config, String architecture) {
        static Legacy read(SparkSession spark, String dir) {
            Path info = new Path(dir, INFO);
            try {
                FileSystem fs = info.getFileSystem(spark.sparkContext().hadoopConfiguration());
                JsonNode json;
                try (InputStream in = fs.open(info)) {
                    json = new ObjectMapper().readTree(in);
                }
                return new Legacy(JobConfig.resolve(ConfigFactory.parseString(json.path("config").asText())
                        .atKey(JobConfig.ROOT)), json.path("architecture").asText());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the model " + dir + " (neither a PipelineModel nor an "
                        + "earlier version's " + INFO + ")", e);
            }
        }
    }

    /** Sets the reviews per forward pass of the model's network stage (a baseline has none). */
    public static PipelineModel withBatchSize(PipelineModel model, int batchSize) {
        for (Transformer stage : model.stages()) {
            if (stage instanceof NetworkClassificationModel network) {
                network.setBatchSize(batchSize);
            }
        }
        return model;
    }

    /** P(positive), the second element of the model's {@code probability} vector. */
    public static Column positiveProbability() {
        return functions.vector_to_array(col("probability"), "float64").getItem(1);
    }

    /**
     * The model's scores for labelled reviews ({@code text}, {@code label} 0/1, and {@code id} when present), held on
     * the executors as {@link Scores} blocks with their metrics, by the same code as every evaluation.
     */
    public static Evaluated evaluated(PipelineModel model, Dataset<Row> labelled) {
        long started = System.nanoTime();
        boolean ids = Arrays.asList(labelled.columns()).contains("id");
        Dataset<Row> scored = model.transform(labelled).select(positiveProbability().as("p"),
                col("label").cast("float").as("label"), ids ? col("id") : org.apache.spark.sql.functions.lit(null)
                        .cast("string").as("id"));
        return Evaluated.of(scored.toJavaRDD().mapPartitions(rows -> {
            List<Row> all = new ArrayList<>();
            rows.forEachRemaining(all::add);
            float[] p = new float[all.size()];
            float[] y = new float[all.size()];
            String[] id = ids ? new String[all.size()] : null;
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) all.get(i).getDouble(0);
                y[i] = all.get(i).getFloat(1);
                if (ids) {
                    id[i] = all.get(i).getString(2);
                }
            }
            return List.of(new Scores(p, y, id)).iterator();
        }), started, () -> { });
    }
}
