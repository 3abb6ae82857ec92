package reviewnet.ml;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
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
import reviewnet.config.JobConfig;
import reviewnet.nn.Architecture;
import reviewnet.nn.recurrent.FoldedInference;
import reviewnet.train.Features;

/**
 * Spark ML stage: a trained sentiment network scoring padded index sequences, with Spark's classifier output
 * columns, so Spark's own evaluators work on its output unchanged: {@code rawPrediction} and {@code probability}
 * (both the vector {@code [1 − p, p]}, p the network's sigmoid output, P(positive)) and {@code prediction} (1.0 when
 * p ≥ 0.5, else 0.0: the threshold of the product's predictions and metrics).
 *
 * <p>It reads {@code inputCols}: {@code seq} (word indices), and for networks that read bigrams ({@code inputs =
 * WORDS_AND_BIGRAMS}) also {@code bigrams}, each id b entering the network as {@code vocabularySize + b − 1}
 * ({@link Features}). Scoring runs on the executors: each partition restores the network once from a broadcast copy
 * of its bytes and scores forward passes of {@code batchSize} rows as the rows stream through (nothing per row is
 * kept, on the executor or the driver), with the same inference the product's evaluation uses
 * ({@link FoldedInference}). Saves as Spark ML stage metadata plus {@code network.zip} (DL4J {@code ModelSerializer},
 * parameters without the updater state).
 */
public final class NetworkClassificationModel extends Model<NetworkClassificationModel> implements MLWritable {
    static final String NETWORK = "network.zip";

    private final String uid;
    private final byte[] network;
    private final StringArrayParam inputCols;
    private final Param<String> inputs;
    private final IntParam vocabularySize;
    private final IntParam batchSize;
    private final Param<String> rawPredictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> predictionCol;

    /** @param network the network's {@code ModelSerializer} bytes */
    public NetworkClassificationModel(String uid, byte[] network) {
        this.uid = uid;
        this.network = network.clone();
        this.inputCols = new StringArrayParam(this, "inputCols", "the padded sequence columns the network reads");
        this.inputs = new Param<>(this, "inputs", "what the network reads: WORDS or WORDS_AND_BIGRAMS",
                ParamValidators.inArray(new String[] {"WORDS", "WORDS_AND_BIGRAMS"}));
        this.vocabularySize = new IntParam(this, "vocabularySize",
                "word indices below it; bigram ids enter the network after them", ParamValidators.gtEq(0));
        this.batchSize = new IntParam(this, "batchSize", "reviews per forward pass", ParamValidators.gtEq(1));
        this.rawPredictionCol = new Param<>(this, "rawPredictionCol", "output column: [1 - p, p]");
        this.probabilityCol = new Param<>(this, "probabilityCol", "output column: [1 - p, p]");
        this.predictionCol = new Param<>(this, "predictionCol", "output column: 1.0 when p >= 0.5, else 0.0");
        setDefault(inputCols, new String[] {Features.SEQ});
        setDefault(inputs, Architecture.Inputs.WORDS.name());
        setDefault(vocabularySize, 0);
        setDefault(batchSize, JobConfig.resolve(com.typesafe.config.ConfigFactory.empty())
                .getInt("reviewnet.predict.batch-size"));
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(probabilityCol, "probability");
        setDefault(predictionCol, "prediction");
    }

    /** The stage for a trained network that reads {@code features}. */
    public static NetworkClassificationModel of(MultiLayerNetwork net, Features features) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(net, bytes, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the network", e);
        }
        NetworkClassificationModel model = new NetworkClassificationModel(Identifiable.randomUID("network"),
                bytes.toByteArray());
        model.set(model.inputCols, features.columns().toArray(new String[0]));
        model.set(model.inputs, features.inputs().name());
        model.set(model.vocabularySize, features.vocabularySize());
        return model;
    }

    @Override
    public String uid() {
        return uid;
    }

    public StringArrayParam inputCols() {
        return inputCols;
    }

    public Param<String> inputs() {
        return inputs;
    }

    public IntParam vocabularySize() {
        return vocabularySize;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public Param<String> rawPredictionCol() {
        return rawPredictionCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public NetworkClassificationModel setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    public NetworkClassificationModel setProbabilityCol(String value) {
        set(probabilityCol, value);
        return this;
    }

    public NetworkClassificationModel setPredictionCol(String value) {
        set(predictionCol, value);
        return this;
    }

    public NetworkClassificationModel setRawPredictionCol(String value) {
        set(rawPredictionCol, value);
        return this;
    }

    /** How input rows become network input. */
    public Features features() {
        return new Features(Architecture.Inputs.valueOf($(inputs)), (Integer) $(vocabularySize));
    }

    /** The network, restored (on the driver: for inspection; scoring restores it on the executors). */
    public MultiLayerNetwork network() {
        return restore(network);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String[] cols = $(inputCols);
        if (cols.length != features().columns().size()) {
            throw new IllegalArgumentException(uid + ": a network reading " + $(inputs) + " needs "
                    + features().columns().size() + " input columns, got " + java.util.Arrays.toString(cols));
        }
        StructType out = schema;
        for (String c : cols) {
            out = ColumnTransformer.requireColumn(out, c, DataTypes.createArrayType(DataTypes.IntegerType), uid);
        }
        out = ColumnTransformer.appended(out, $(rawPredictionCol), SQLDataTypes.VectorType(), uid);
        out = ColumnTransformer.appended(out, $(probabilityCol), SQLDataTypes.VectorType(), uid);
        return ColumnTransformer.appended(out, $(predictionCol), DataTypes.DoubleType, uid);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        String[] cols = $(inputCols);
        int[] at = new int[cols.length];
        for (int i = 0; i < cols.length; i++) {
            at[i] = dataset.schema().fieldIndex(cols[i]);
        }
        Broadcast<byte[]> bytes = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext())
                .broadcast(network);
        Features features = features();
        int batch = (Integer) $(batchSize);
        return dataset.toDF().mapPartitions((MapPartitionsFunction<Row, Row>) rows -> new Scoring(rows, bytes,
                features, at, batch), Encoders.row(out));
    }

    private static MultiLayerNetwork restore(byte[] bytes) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the network", e);
        }
    }

    /** The rows of one partition with their scores appended, a forward pass per {@code batch} rows, lazily. */
    private static final class Scoring implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final Broadcast<byte[]> bytes;
        private final Features features;
        private final int[] at;
        private final int batch;
        private UnaryOperator<INDArray> inference;
        private final List<Row> pending = new ArrayList<>();
        private final List<Row> scored = new ArrayList<>();
        private int next;

        Scoring(Iterator<Row> rows, Broadcast<byte[]> bytes, Features features, int[] at, int batch) {
            this.rows = rows;
            this.bytes = bytes;
            this.features = features;
            this.at = at;
            this.batch = batch;
        }

        @Override
        public boolean hasNext() {
            if (next < scored.size()) {
                return true;
            }
            scored.clear();
            next = 0;
            pending.clear();
            while (pending.size() < batch && rows.hasNext()) {
                pending.add(rows.next());
            }
            if (pending.isEmpty()) {
                return false;
            }
            score();
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return scored.get(next++);
        }

        private void score() {
            if (inference == null) {
                inference = FoldedInference.inference(restore(bytes.value()));   // once per partition
            }
            int width = -1;
            float[] x = null;
            for (int i = 0; i < pending.size(); i++) {
                Row row = pending.get(i);
                for (int c : at) {
                    if (row.isNullAt(c)) {
                        throw new IllegalArgumentException("network input column '" + row.schema().fieldNames()[c]
                                + "' is null in a row; every row needs a padded sequence");
                    }
                }
                if (x == null) {
                    width = features.width(row.getList(at[0]).size());
                    x = new float[pending.size() * width];
                }
                int written = features.fill(row, at, x, i * width);
                if (written != width) {
                    throw new IllegalArgumentException("network input sequences must all have one length: found "
                            + written + " values in a row and " + width + " in another (pad them first)");
                }
            }
            INDArray p = inference.apply(Nd4j.create(x, new long[]{pending.size(), width}));
            for (int i = 0; i < pending.size(); i++) {
                Row row = pending.get(i);
                double probability = p.getFloat(i, 0);
                Object[] values = new Object[row.size() + 3];
                for (int c = 0; c < row.size(); c++) {
                    values[c] = row.get(c);
                }
                values[row.size()] = Vectors.dense(1 - probability, probability);
                values[row.size() + 1] = Vectors.dense(1 - probability, probability);
                values[row.size() + 2] = probability >= 0.5 ? 1.0 : 0.0;
                scored.add(RowFactory.create(values));
            }
        }
    }

    @Override
    public NetworkClassificationModel copy(ParamMap extra) {
        return copyValues(new NetworkClassificationModel(uid, network), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                StageMetadata.save(NetworkClassificationModel.this, path, sparkSession().sparkContext());
                Path file = new Path(path, NETWORK);
                try (OutputStream out = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration())
                        .create(file, false)) {
                    out.write(network);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + file, e);
                }
            }
        };
    }

    /** Spark's way to load the stage, alone or inside a {@code PipelineModel}. */
    public static MLReader<NetworkClassificationModel> read() {
        return new MLReader<>() {
            @Override
            public NetworkClassificationModel load(String path) {
                return NetworkClassificationModel.load(sparkSession(), path);
            }
        };
    }

    public static NetworkClassificationModel load(SparkSession spark, String path) {
        String uid = StageMetadata.uid(path, spark.sparkContext(), NetworkClassificationModel.class);
        Path file = new Path(path, NETWORK);
        try {
            FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
            byte[] bytes;
            try (InputStream in = fs.open(file)) {
                bytes = in.readAllBytes();
            }
            return StageMetadata.loadParams(new NetworkClassificationModel(uid, bytes), path, spark.sparkContext());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
