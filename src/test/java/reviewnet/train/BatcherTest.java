package reviewnet.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.dataset.DataSet;
import scala.collection.JavaConverters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** How one partition's reviews are cut into minibatches: no tail of at most half a minibatch on its own. */
class BatcherTest {
    static Stream<Arguments> partitions() {
        return Stream.of(
                // reviews in the partition, minibatch size, minibatch sizes
                arguments(257, 32, List.of(32, 32, 32, 32, 32, 32, 32, 33)),    // the gru case: no minibatch of 1
                arguments(243, 32, List.of(32, 32, 32, 32, 32, 32, 32, 19)),    // a tail of 19 > 16 stays
                arguments(80, 32, List.of(32, 48)),                             // a tail of 16 joins
                arguments(81, 32, List.of(32, 32, 17)),
                arguments(64, 32, List.of(32, 32)),
                arguments(5, 32, List.of(5)),                                   // a small partition is one minibatch
                arguments(1, 32, List.of(1)),
                arguments(0, 32, List.of()),
                arguments(3, 1, List.of(1, 1, 1)),
                arguments(7, 2, List.of(2, 2, 3)));
    }

    @ParameterizedTest
    @MethodSource("partitions")
    void cutsAPartitionIntoMinibatchesWithoutAShortTailOfItsOwn(int reviews, int batchSize, List<Integer> sizes) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < reviews; i++) {
            // as Spark hands them over: the sequence is a Scala Seq
            rows.add(RowFactory.create(i % 2, JavaConverters.asScalaBuffer(List.of(i, i + 1, i + 2)).toSeq()));
        }
        Iterator<DataSet> batches = new DataSets.Batcher(rows.iterator(), batchSize, Features.WORDS);
        List<Integer> actual = new ArrayList<>();
        List<Float> firstIndices = new ArrayList<>();
        while (batches.hasNext()) {
            DataSet ds = batches.next();
            actual.add((int) ds.getFeatures().size(0));
            for (long r = 0; r < ds.getFeatures().size(0); r++) {
                firstIndices.add(ds.getFeatures().getFloat(r, 0));
                assertEquals((firstIndices.size() - 1) % 2, ds.getLabels().getFloat(r, 0), 0f, "label of row " + r);
            }
        }
        assertEquals(sizes, actual);
        // every review once, in order
        assertEquals(IntStream.range(0, reviews).mapToObj(i -> (float) i).toList(), firstIndices);
    }
}
