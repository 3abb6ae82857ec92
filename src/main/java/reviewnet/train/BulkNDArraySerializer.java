package reviewnet.train;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.kryo.Nd4jRegistrator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kryo serializer for ND4J arrays that copies the data buffer in bulk. ND4J's own serialization (Java and
 * {@code nd4j-kryo}) writes an array element by element through a {@code DataOutputStream}; every parameter-averaging
 * round serializes the parameters and the Adam state (about 30 MB for the default networks) once for the broadcast
 * and once per worker for the results, so that loop took about a third of an epoch's CPU
 * ({@code PROFILE=1 submit-scripts/bench.sh}). Format: data type, byte order, rank, shape ('c' order), then the raw
 * bytes of the buffer.
 */
public final class BulkNDArraySerializer extends Serializer<INDArray> {
    private static final int CHUNK = 1 << 16;

    @Override
    public void write(Kryo kryo, Output output, INDArray array) {
        INDArray a = array;
        if (a.isView() || a.ordering() != 'c' || (!a.isEmpty() && a.data().length() != a.length())) {
            a = array.dup('c');
        }
        output.writeString(a.dataType().name());
        output.writeBoolean(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        long[] shape = a.shape();
        output.writeInt(shape.length, true);
        for (long d : shape) {
            output.writeLong(d, true);
        }
        output.writeBoolean(a.isEmpty());
        if (a.isEmpty()) {
            return;
        }
        ByteBuffer data = a.data().asNio();
        data.position(0);
        long bytes = a.length() * a.dataType().width();
        byte[] chunk = new byte[(int) Math.min(CHUNK, bytes)];
        for (long done = 0; done < bytes; ) {
            int n = (int) Math.min(chunk.length, bytes - done);
            data.get(chunk, 0, n);
            output.writeBytes(chunk, 0, n);
            done += n;
        }
    }

    @Override
    public INDArray read(Kryo kryo, Input input, Class<INDArray> type) {
        DataType dataType = DataType.valueOf(input.readString());
        boolean littleEndian = input.readBoolean();
        if (littleEndian != (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN)) {
            throw new KryoException("an ND4J array serialized on a machine of the other byte order");
        }
        long[] shape = new long[input.readInt(true)];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = input.readLong(true);
        }
        if (input.readBoolean()) {
            return shape.length == 0 ? Nd4j.empty(dataType) : Nd4j.create(dataType, shape);
        }
        INDArray array = Nd4j.createUninitialized(dataType, shape, 'c');
        ByteBuffer data = array.data().asNio();
        data.position(0);
        long bytes = array.length() * dataType.width();
        byte[] chunk = new byte[(int) Math.min(CHUNK, bytes)];
        for (long done = 0; done < bytes; ) {
            int n = (int) Math.min(chunk.length, bytes - done);
            input.readBytes(chunk, 0, n);
            data.put(chunk, 0, n);
            done += n;
        }
        return array;
    }

    /**
     * {@code spark.kryo.registrator}: ND4J's registrations ({@code nd4j-kryo}), with this serializer for the array
     * class instead of ND4J's element-by-element one.
     */
    public static final class Registrator extends Nd4jRegistrator {
        @Override
        public void registerClasses(Kryo kryo) {
            super.registerClasses(kryo);
            kryo.register(Nd4j.getBackend().getNDArrayClass(), new BulkNDArraySerializer());
        }
    }
}
