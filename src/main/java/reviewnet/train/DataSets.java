package reviewnet.train;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Prepared Parquet rows (id, label, seq) as DL4J examples: features [1, length] indices, labels [1, 1]. */
public final class DataSets {
    private DataSets() {
    }

    public static JavaRDD<DataSet> examples(Dataset<Row> prepared) {
        return prepared.select("label", "seq").toJavaRDD().map(DataSets::example);
    }

    static DataSet example(Row row) {
        List<Integer> seq = row.getList(1);
        float[] features = new float[seq.size()];
        for (int i = 0; i < features.length; i++) {
            features[i] = seq.get(i);
        }
        INDArray x = Nd4j.create(features, new long[] {1, features.length});
        INDArray y = Nd4j.create(new float[] {row.getInt(0)}, new long[] {1, 1});
        return new DataSet(x, y);
    }
}
