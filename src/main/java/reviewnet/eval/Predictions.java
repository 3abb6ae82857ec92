package reviewnet.eval;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import reviewnet.io.AtomicDirectory;

/**
 * Per-review test predictions of every evaluated model, so that any two models can be compared review by review:
 * Parquet ({@link #SCHEMA}: run id, architecture, repeat, review id, label 0/1, P(positive) as a double; predicted
 * positive when the probability is at least 0.5) in one folder per model, {@code <root>/<run id>/<architecture>/<repeat>},
 * written from the executors into a staging folder and committed by rename (a re-run of a killed run replaces it
 * whole). Any Parquet reader reads all of them at once ({@code read_parquet('predictions/**\/*.parquet')} in DuckDB).
 */
public final class Predictions {
    public static final String DIR = "predictions";
    public static final StructType SCHEMA = new StructType()
            .add("run_id", DataTypes.StringType, false)
            .add("architecture", DataTypes.StringType, false)
            .add("repeat", DataTypes.IntegerType, false)
            .add("id", DataTypes.StringType, false)
            .add("label", DataTypes.IntegerType, false)
            .add("probability", DataTypes.DoubleType, false);

    private Predictions() {
    }

    /** The folder of one model's predictions under {@code root}. */
    public static String path(String root, String runId, String architecture, int repeat) {
        return new Path(root, runId + "/" + architecture + "/" + repeat).toString();
    }

    /** Writes the scored blocks (which must carry review ids) as one model's predictions in {@code dir}. */
    public static void write(SparkSession spark, JavaRDD<Scores> blocks, String runId, String architecture, int repeat,
                             String dir) {
        try (AtomicDirectory out = AtomicDirectory.begin(dir, spark.sparkContext().hadoopConfiguration())) {
            // into the staging folder itself (Spark replaces the empty folder): the Parquet files are the folder's
            rows(spark, blocks, runId, architecture, repeat).write().mode(org.apache.spark.sql.SaveMode.Overwrite)
                    .parquet(out.staging().toString());
            out.commit();
        }
    }

    /** The scored blocks (which must carry review ids) as one model's predictions, {@link #SCHEMA}. */
    public static Dataset<Row> rows(SparkSession spark, JavaRDD<Scores> blocks, String runId, String architecture,
                                    int repeat) {
        JavaRDD<Row> rows = blocks.flatMap(s -> {
            if (!s.hasIds()) {
                throw new IllegalStateException("the evaluated minibatches carry no review ids: cannot write "
                        + "per-review predictions");
            }
            List<Row> out = new ArrayList<>(s.size());
            for (int i = 0; i < s.size(); i++) {
                out.add(RowFactory.create(runId, architecture, repeat, s.ids[i], s.labels[i] > 0.5f ? 1 : 0,
                        (double) s.probabilities[i]));
            }
            return out.iterator();
        });
        return spark.createDataFrame(rows, SCHEMA);
    }

    /** Every model's predictions under {@code root} (all runs), or those of one run. */
    public static Dataset<Row> read(SparkSession spark, String root) {
        return spark.read().schema(SCHEMA).option("recursiveFileLookup", "true").parquet(root);
    }

    /**
     * One model's predictions as an {@link Uncertainty.Model}, its reviews in id order. {@code ids}: empty for the first
     * model of a comparison (filled with its ids), then the ids every other model must have been evaluated on.
     */
    public static Uncertainty.Model model(SparkSession spark, String dir, String architecture, int repeat, long seed,
                                          Double validationAccuracy, List<String> ids) {
        List<Row> rows = read(spark, dir).orderBy("id").select("id", "label", "probability").collectAsList();
        float[] p = new float[rows.size()];
        float[] y = new float[rows.size()];
        List<String> mine = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            mine.add(r.getString(0));
            y[i] = r.getInt(1);
            p[i] = (float) r.getDouble(2);
        }
        if (ids.isEmpty()) {
            ids.addAll(mine);
        } else if (!ids.equals(mine)) {
            throw new IllegalStateException("the predictions in " + dir + " are for other reviews than the first "
                    + "model's (" + mine.size() + " vs " + ids.size() + " reviews): models of one comparison must be "
                    + "evaluated on the same test reviews");
        }
        return new Uncertainty.Model(architecture, repeat, seed, validationAccuracy, p, y);
    }

}
