package reviewnet.vocab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reviewnet.testing.SparkTest;
import reviewnet.config.BigramSettings;

/** {@link BigramHasher}, pair by pair: each adjacent token pair is one id in 1..buckets, the same pair the same id. */
class BigramHasherTest extends SparkTest {
    private static final StructType SCHEMA = new StructType()
            .add("tokens", DataTypes.createArrayType(DataTypes.StringType, true), false);

    private static List<Integer> hash(int buckets, String... tokens) {
        Dataset<Row> in = spark.createDataFrame(List.of(RowFactory.create((Object) tokens)), SCHEMA);
        return new BigramHasher(new BigramSettings(buckets)).transform(in).first().getList(1);
    }

    /** (tokens, bigram count, which ids must be equal as [i, j] pairs). */
    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of(new String[]{}, 0, new int[][]{}),
                Arguments.of(new String[]{"great"}, 0, new int[][]{}),
                Arguments.of(new String[]{"not", "good"}, 1, new int[][]{}),
                Arguments.of(new String[]{"not", "good", "not", "good"}, 3, new int[][]{{0, 2}}),
                Arguments.of(new String[]{"a", "b", "a", "b", "a", "b"}, 5, new int[][]{{0, 2}, {2, 4}, {1, 3}}));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void onePairOneId(String[] tokens, int count, int[][] equal) {
        List<Integer> ids = hash(1 << 20, tokens);
        assertEquals(count, ids.size());
        for (int id : ids) {
            assertTrue(id >= 1 && id <= 1 << 20, "id out of range: " + id);
        }
        for (int[] pair : equal) {
            assertEquals(ids.get(pair[0]), ids.get(pair[1]));
        }
    }

    @Test
    void orderMattersAndIdsStayInRange() {
        // with a million buckets, "not good" and "good not" collide with probability 1e-6
        assertTrue(!hash(1 << 20, "not", "good").equals(hash(1 << 20, "good", "not")));
        List<Row> pairs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pairs.add(RowFactory.create((Object) new String[]{"w" + i, "v" + i}));
        }
        List<Integer> all = new ArrayList<>();
        for (Row r : new BigramHasher(new BigramSettings(3)).transform(spark.createDataFrame(pairs, SCHEMA))
                .collectAsList()) {
            all.addAll(r.getList(1));
        }
        assertTrue(all.stream().allMatch(id -> id >= 1 && id <= 3), all.toString());
        assertEquals(3, all.stream().distinct().count(), "50 pairs into 3 buckets fill them all");
    }

    @Test
    void theSamePairHasTheSameIdInEveryReview() {
        assertEquals(hash(1000, "must", "see").get(0), hash(1000, "a", "must", "see").get(1));
    }

    @Test
    void rejectsAnInputColumnOfTheWrongType() {
        Dataset<Row> in = spark.createDataFrame(List.of(RowFactory.create("text")),
                new StructType().add("tokens", DataTypes.StringType));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BigramHasher(new BigramSettings(10)).transform(in));
        assertTrue(e.getMessage().contains("must be of type array<string>"), e.getMessage());
    }
}
