import org.apache.spark.sql.SparkSession;
import static org.apache.spark.sql.functions.*;

/**
 * Benchmark input (single-file Java program, run by bench-scoring.sh): every review of an aclImdb split folder
 * (SPLIT/{neg,pos}/*.txt) as Parquet rows (id, text) in one file per 2,500 reviews: unlabelled, so the example job
 * only scores.
 */
public class ReviewsToParquet {
    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("reviews-to-parquet")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.read().option("wholetext", "true").text(args[0] + "/{neg,pos}/*.txt")
                .select(input_file_name().as("id"), col("value").as("text"))
                .repartition(10).write().parquet(args[1]);
        spark.stop();
    }
}
