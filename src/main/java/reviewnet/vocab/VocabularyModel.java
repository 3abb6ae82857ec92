package reviewnet.vocab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
import org.apache.spark.ml.param.ParamMap;
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

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

/**
 * The fitted word index. {@link #transform} maps a token array to indices: the start marker (unless 0), then each
 * word's index or the out-of-vocabulary index. The word map is broadcast once per transform. Saves as
 * {@code metadata.json} plus a Parquet table {@code words} (index, word, count).
 */
public final class VocabularyModel extends Model<VocabularyModel> implements MLWritable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String uid;
    private final VocabSettings settings;
    private final String[] words;
    private final long[] counts;
    private String inputCol = "tokens";
    private String outputCol = "indices";
    private transient Map<String, Integer> index;

    public VocabularyModel(String uid, VocabSettings settings, String[] words, long[] counts) {
        if (words.length != counts.length || words.length > settings.wordCapacity()) {
            throw new IllegalArgumentException("a vocabulary of " + settings.size() + " indices holds at most "
                    + settings.wordCapacity() + " words with one count each; got " + words.length + " words and "
                    + counts.length + " counts");
        }
        this.uid = uid;
        this.settings = settings;
        this.words = words.clone();
        this.counts = counts.clone();
    }

    public VocabularyModel setInputCol(String value) {
        inputCol = value;
        return this;
    }

    public VocabularyModel setOutputCol(String value) {
        outputCol = value;
        return this;
    }

    @Override
    public String uid() {
        return uid;
    }

    public VocabSettings settings() {
        return settings;
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
        return found == null ? settings.oovChar() : found;
    }

    Map<String, Integer> wordIndex() {
        if (index == null) {
            Map<String, Integer> map = new HashMap<>(words.length * 2);
            for (int i = 0; i < words.length; i++) {
                map.put(words[i], settings.indexFrom() + i);
            }
            index = map;
        }
        return index;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return ColumnTransformer.checkedOutputSchema(schema, inputCol,
                DataTypes.createArrayType(DataTypes.StringType, false), outputCol,
                DataTypes.createArrayType(DataTypes.IntegerType, false), uid);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Broadcast<Map<String, Integer>> broadcast = jsc.broadcast(wordIndex());
        int start = settings.startChar();
        int oov = settings.oovChar();
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
        return dataset.withColumn(outputCol, encode.apply(col(inputCol)));
    }

    @Override
    public VocabularyModel copy(ParamMap extra) {
        return new VocabularyModel(uid, settings, words, counts).setInputCol(inputCol).setOutputCol(outputCol)
                .setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static VocabularyModel load(SparkSession spark, String path) {
        try {
            Path dir = new Path(path);
            FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
            ObjectNode meta;
            try (InputStream in = fs.open(new Path(dir, "metadata.json"))) {
                meta = (ObjectNode) JSON.readTree(in);
            }
            if (!VocabularyModel.class.getName().equals(meta.path("class").asText())) {
                throw new IllegalArgumentException(path + " does not hold a " + VocabularyModel.class.getName()
                        + " (metadata.json names " + meta.path("class").asText() + ")");
            }
            VocabSettings settings = new VocabSettings(meta.get("size").asInt(), meta.get("startChar").asInt(),
                    meta.get("oovChar").asInt(), meta.get("indexFrom").asInt());
            List<Row> rows = spark.read().parquet(new Path(dir, "words").toString()).orderBy("index")
                    .collectAsList();
            String[] words = new String[rows.size()];
            long[] counts = new long[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                if (row.getInt(row.fieldIndex("index")) != settings.indexFrom() + i) {
                    throw new IllegalStateException(path + ": word indices are not contiguous from "
                            + settings.indexFrom() + " at row " + i);
                }
                words[i] = row.getString(row.fieldIndex("word"));
                counts[i] = row.getLong(row.fieldIndex("count"));
            }
            return new VocabularyModel(meta.get("uid").asText(), settings, words, counts)
                    .setInputCol(meta.get("inputCol").asText()).setOutputCol(meta.get("outputCol").asText());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the vocabulary from " + path, e);
        }
    }

    private static final class Writer extends MLWriter {
        private final VocabularyModel model;

        Writer(VocabularyModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            ObjectNode meta = JSON.createObjectNode()
                    .put("class", VocabularyModel.class.getName())
                    .put("uid", model.uid)
                    .put("sparkVersion", sparkSession().version())
                    .put("inputCol", model.inputCol)
                    .put("outputCol", model.outputCol)
                    .put("size", model.settings.size())
                    .put("startChar", model.settings.startChar())
                    .put("oovChar", model.settings.oovChar())
                    .put("indexFrom", model.settings.indexFrom())
                    .put("words", model.words.length);
            Path dir = new Path(path);
            try {
                FileSystem fs = dir.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                fs.mkdirs(dir);
                try (OutputStream out = fs.create(new Path(dir, "metadata.json"), true)) {
                    out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta)
                            .getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + path + "/metadata.json", e);
            }
            List<Row> rows = new ArrayList<>(model.words.length);
            for (int i = 0; i < model.words.length; i++) {
                rows.add(RowFactory.create(model.settings.indexFrom() + i, model.words[i], model.counts[i]));
            }
            StructType schema = new StructType().add("index", DataTypes.IntegerType, false)
                    .add("word", DataTypes.StringType, false).add("count", DataTypes.LongType, false);
            sparkSession().createDataFrame(rows, schema).coalesce(1).write().parquet(new Path(dir, "words").toString());
        }
    }

    @Override
    public String toString() {
        return "VocabularyModel(" + uid + ", " + words.length + " words, first "
                + Arrays.toString(Arrays.copyOf(words, Math.min(5, words.length))) + ")";
    }
}
