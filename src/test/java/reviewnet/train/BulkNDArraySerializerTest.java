package reviewnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import scala.reflect.ClassTag$;

/** ND4J arrays through Spark's Kryo serializer with the bulk serializer: every kind of array comes back equal. */
class BulkNDArraySerializerTest {
    private static final SerializerInstance KRYO = new KryoSerializer(new SparkConf()
            .set("spark.kryo.registrator", BulkNDArraySerializer.Registrator.class.getName())).newInstance();

    static Stream<Arguments> arrays() {
        INDArray matrix = Nd4j.linspace(1, 24, 24, DataType.FLOAT).reshape('c', 4, 6);
        return Stream.of(
                Arguments.of("float matrix", matrix),
                Arguments.of("'f' ordered", matrix.dup('f')),
                Arguments.of("view of columns 1..3", matrix.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4))),
                Arguments.of("row view", matrix.getRow(2)),
                Arguments.of("double 3d", Nd4j.rand(DataType.DOUBLE, 2, 3, 5)),
                Arguments.of("int vector", Nd4j.createFromArray(3, -1, 7)),
                Arguments.of("scalar", Nd4j.scalar(2.5f)),
                Arguments.of("empty", Nd4j.empty(DataType.FLOAT)),
                Arguments.of("large (several chunks)", Nd4j.rand(DataType.FLOAT, 300, 1000)));
    }

    // INDArray is AutoCloseable: JUnit must not close the fixtures (views cannot be closed)
    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("arrays")
    void roundTrips(String name, INDArray array) {
        INDArray back = roundTrip(array);
        assertEquals(array.dataType(), back.dataType(), name);
        assertArrayEquals(array.shape(), back.shape(), name);
        assertEquals(array, back, name);
    }

    @Test
    void writesTheRawBufferNotElementByElement() {
        INDArray params = Nd4j.rand(DataType.FLOAT, 1000, 100);
        byte[] bytes = KRYO.serialize(params, ClassTag$.MODULE$.apply(INDArray.class)).array();
        // 4 bytes per float plus a header of a few bytes
        assertTrue(bytes.length < 400_000 + 64, "serialized size " + bytes.length);
    }

    private static INDArray roundTrip(INDArray array) {
        return KRYO.deserialize(KRYO.serialize(array, ClassTag$.MODULE$.apply(INDArray.class)),
                ClassTag$.MODULE$.apply(INDArray.class));
    }
}
