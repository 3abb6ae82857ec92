package reviewnet.vocab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import reviewnet.config.VocabSettings;
import reviewnet.ml.ColumnTransformer;
import reviewnet.ml.StageMetadata;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

/**
 * The fitted word index. {@link #transform} maps a token array to indices: the start marker (unless 0), then each
 * word's index or the out-of-vocabulary index. The word map is broadcast once per transform. The column names and the
 * reserved indices ({@link VocabSettings}) are params; the words are data. Saves as Spark ML stage metadata
 * ({@code metadata/}, so that {@code PipelineModel.load} finds it) plus a Parquet table {@code words} (index, word,
 * count); {@link #load} also reads the layout of earlier versions ({@code metadata.json} instead of {@code metadata/}).
 */
public final class VocabularyModel extends Model<VocabularyModel> implements MLWritable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LEGACY_METADATA = "metadata.json";
    private static final String WORDS = "words";

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final IntParam size;
    private final IntParam startChar;
    private final IntParam oovChar;
    private final IntParam indexFrom;
    private final String[] words;
    private final long[] counts;
    private transient Map<String, Integer> index;

    public VocabularyModel(String uid, VocabSettings settings, String[] words, long[] counts) {
        if (words.length != counts.length || words.length > settings.wordCapacity()) {
            throw new IllegalArgumentException("a vocabulary of " + settings.size() + " indices holds at most "
                    + settings.wordCapacity() + " words with one count each; got " + words.length + " words and "
                    + counts.length + " counts");
        }
        this.uid = uid;
        this.inputCol = new Param<>(this, "inputCol", "input column name: the tokens");
        this.outputCol = new Param<>(this, "outputCol", "output column name: the indices");
        this.size = new IntParam(this, "size", "indices 0..size-1");
        this.startChar = new IntParam(this, "startChar", "index put before every review (0: none)");
        this.oovChar = new IntParam(this, "oovChar", "index of out-of-vocabulary words");
        this.indexFrom = new IntParam(this, "indexFrom", "index of the most frequent word");
        setDefault(inputCol, "tokens");
        setDefault(outputCol, "indices");
        set(size, settings.size());
        set(startChar, settings.startChar());
        set(oovChar, settings.oovChar());
        set(indexFrom, settings.indexFrom());
        this.words = words.clone();
        this.counts = counts.clone();
    }

    public VocabularyModel setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    public VocabularyModel setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public IntParam size() {
        return size;
    }

    public IntParam startChar() {
        return startChar;
    }

    public IntParam oovChar() {
        return oovChar;
    }

    public IntParam indexFrom() {
        return indexFrom;
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The reserved indices the params describe. */
    public VocabSettings settings() {
        return new VocabSettings((Integer) $(size), (Integer) $(startChar), (Integer) $(oovChar),
                (Integer) $(indexFrom));
    }

    /** Words in index order: {@code words()[i]} has index {@code indexFrom + i}. */
    public List<String> words() {
        return List.of(words);
    }

    public long count(int i) {
        return counts[i];
    }

    /** The index of one word, or the out-of-vocabulary index. */
    public int indexOf(String word) {
        Integer found = wordIndex().get(word);
        return found == null ? settings().oovChar() : found;
    }

    Map<String, Integer> wordIndex() {
        if (index == null) {
            Map<String, Integer> map = new HashMap<>(words.length * 2);
            int from = settings().indexFrom();
            for (int i = 0; i < words.length; i++) {
                map.put(words[i], from + i);
            }
            index = map;
        }
        return index;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return ColumnTransformer.checkedOutputSchema(schema, $(inputCol),
                DataTypes.createArrayType(DataTypes.StringType, false), $(outputCol),
                DataTypes.createArrayType(DataTypes.IntegerType, false), uid);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Broadcast<Map<String, Integer>> broadcast = jsc.broadcast(wordIndex());
        int start = (Integer) $(startChar);
        int oov = (Integer) $(oovChar);
        UserDefinedFunction encode = udf((UDF1<scala.collection.Seq<String>, int[]>) tokens -> {
            Map<String, Integer> map = broadcast.value();
            int offset = start > 0 ? 1 : 0;
            int[] out = new int[tokens.length() + offset];
            if (start > 0) {
                out[0] = start;
            }
            for (int i = 0; i < tokens.length(); i++) {
                Integer value = map.get(tokens.apply(i));
                out[i + offset] = value == null ? oov : value;
            }
            return out;
        }, DataTypes.createArrayType(DataTypes.IntegerType, false));
        return dataset.withColumn($(outputCol), encode.apply(col($(inputCol))));
    }

    @Override
    public VocabularyModel copy(ParamMap extra) {
        return copyValues(new VocabularyModel(uid, settings(), words, counts), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /** Spark's way to load the stage, alone or inside a {@code PipelineModel}. */
    public static MLReader<VocabularyModel> read() {
        return new MLReader<>() {
            @Override
            public VocabularyModel load(String path) {
                return VocabularyModel.load(sparkSession(), path);
            }
        };
    }

    public static VocabularyModel load(SparkSession spark, String path) {
        try {
            Path dir = new Path(path);
            FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(new Path(dir, LEGACY_METADATA))) {
                return loadLegacy(spark, fs, dir);
            }
            String uid = StageMetadata.uid(path, spark.sparkContext(), VocabularyModel.class);
            // the reserved indices come with the params; the placeholder settings only pass the constructor's check
            VocabularyModel empty = StageMetadata.loadParams(
                    new VocabularyModel(uid, new VocabSettings(3, 0, 1, 2), new String[0], new long[0]), path,
                    spark.sparkContext());
            VocabSettings settings = empty.settings();
            return withWords(spark, dir, uid, settings).setInputCol(empty.$(empty.inputCol))
                    .setOutputCol(empty.$(empty.outputCol));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the vocabulary from " + path, e);
        }
    }

    /** The layout written before the vocabulary was a Spark ML stage: {@code metadata.json} and {@code words}. */
    private static VocabularyModel loadLegacy(SparkSession spark, FileSystem fs, Path dir) throws IOException {
        ObjectNode meta;
        try (InputStream in = fs.open(new Path(dir, LEGACY_METADATA))) {
            meta = (ObjectNode) JSON.readTree(in);
        }
        if (!VocabularyModel.class.getName().equals(meta.path("class").asText())) {
            throw new IllegalArgumentException(dir + " does not hold a " + VocabularyModel.class.getName()
                    + " (" + LEGACY_METADATA + " names " + meta.path("class").asText() + ")");
        }
        VocabSettings settings = new VocabSettings(meta.get("size").asInt(), meta.get("startChar").asInt(),
                meta.get("oovChar").asInt(), meta.get("indexFrom").asInt());
        return withWords(spark, dir, meta.get("uid").asText(), settings)
                .setInputCol(meta.get("inputCol").asText()).setOutputCol(meta.get("outputCol").asText());
    }

    private static VocabularyModel withWords(SparkSession spark, Path dir, String uid, VocabSettings settings) {
        List<Row> rows = spark.read().parquet(new Path(dir, WORDS).toString()).orderBy("index").collectAsList();
        String[] words = new String[rows.size()];
        long[] counts = new long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            if (row.getInt(row.fieldIndex("index")) != settings.indexFrom() + i) {
                throw new IllegalStateException(dir + ": word indices are not contiguous from "
                        + settings.indexFrom() + " at row " + i);
            }
            words[i] = row.getString(row.fieldIndex("word"));
            counts[i] = row.getLong(row.fieldIndex("count"));
        }
        return new VocabularyModel(uid, settings, words, counts);
    }

    private static final class Writer extends MLWriter {
        private final VocabularyModel model;

        Writer(VocabularyModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            StageMetadata.save(model, path, sparkSession().sparkContext());
            int from = model.settings().indexFrom();
            List<Row> rows = new ArrayList<>(model.words.length);
            for (int i = 0; i < model.words.length; i++) {
                rows.add(RowFactory.create(from + i, model.words[i], model.counts[i]));
            }
            StructType schema = new StructType().add("index", DataTypes.IntegerType, false)
                    .add("word", DataTypes.StringType, false).add("count", DataTypes.LongType, false);
            sparkSession().createDataFrame(rows, schema).coalesce(1).write()
                    .parquet(new Path(path, WORDS).toString());
        }
    }

    @Override
    public String toString() {
        return "VocabularyModel(" + uid + ", " + words.length + " words, first "
                + Arrays.toString(Arrays.copyOf(words, Math.min(5, words.length))) + ")";
    }
}
