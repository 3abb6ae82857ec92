package reviewnet.nn.recurrent;

import java.nio.FloatBuffer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The input projections {@code x_t·W + b} of a recurrent layer's float inference pass, example-major: step t's block
 * is a contiguous {@code [mb, rows]} matrix (row i = example i), computed a few steps at a time with one gemm over
 * about {@value #COLUMNS} (step, example) pairs; the bias comes through the same gemm, as a row of ones under the
 * inputs and the bias under the weights.
 *
 * <p>Why in chunks: the whole-sequence projection of the training pass is a {@code [4n, T·mb]} array, 52 MB for an
 * LSTM at T = 100 and 256 reviews per forward pass, plus a 13 MB regrouped copy of the input. DL4J's working-memory
 * workspace only settles after several passes, so until then such arrays are fresh allocations whose pages fault on
 * first touch, which is slow on this project's virtual machines. Chunks of 2,048 pairs (4 MB) keep the gemm efficient
 * and the memory small.
 */
final class InputProjection implements StepInputs {
    static final int COLUMNS = 2048;

    private final INDArray in;
    private final boolean nwc;
    private final INDArray wb;      // [nIn + 1, rows]: the weights, then the bias
    private final int nIn;
    private final int rows;
    private final int mb;
    private final int tLen;
    private final int chunk;
    private final INDArray x;       // [nIn + 1, chunk, mb], the last row all ones
    private final INDArray xp;      // [chunk * mb, rows]
    private final FloatBuffer xpB;
    private final INDArray[] blocks;    // step t0 + s's block of xp, made once (a view costs as much as a small op)
    private int t0 = -1;

    /**
     * @param in  the layer input, float, [mb, nIn, T] (NCW) or [mb, T, nIn] (NWC)
     * @param wb  the input weights [nIn, rows] with the bias [rows] as one more row: [nIn + 1, rows], float
     */
    InputProjection(INDArray in, boolean nwc, INDArray wb, long mb, long tLen, ArrayType type, LayerWorkspaceMgr mgr) {
        this.in = in;
        this.nwc = nwc;
        this.wb = wb;
        this.nIn = Math.toIntExact(wb.size(0) - 1);
        this.rows = Math.toIntExact(wb.size(1));
        this.mb = Math.toIntExact(mb);
        this.tLen = Math.toIntExact(tLen);
        this.chunk = (int) Math.max(1, Math.min(tLen, (COLUMNS + mb - 1) / mb));
        // zeroed: the pairs past a short last chunk go through the gemm too (and are never read)
        this.x = mgr.create(type, DataType.FLOAT, new long[]{nIn + 1, chunk, mb}, 'c');
        x.get(NDArrayIndex.point(nIn), NDArrayIndex.all(), NDArrayIndex.all()).assign(1.0);
        this.xp = mgr.createUninitialized(type, DataType.FLOAT, new long[]{(long) chunk * mb, rows}, 'c');
        this.xpB = FloatKernels.floats(xp);
        this.blocks = new INDArray[chunk];
    }

    /** {@code [W; b]} as one float matrix [nIn + 1, rows] in the given workspace. */
    static INDArray weightsAndBias(INDArray w, INDArray b, ArrayType type, LayerWorkspaceMgr mgr) {
        INDArray wb = mgr.createUninitialized(type, DataType.FLOAT, new long[]{w.size(0) + 1, w.size(1)}, 'c');
        wb.get(NDArrayIndex.interval(0, w.size(0)), NDArrayIndex.all()).assign(w);
        wb.get(NDArrayIndex.point(w.size(0)), NDArrayIndex.all()).assign(b.reshape(w.size(1)));
        return wb;
    }

    @Override
    public INDArray block(int t) {
        ensure(t);
        int s = t - t0;
        if (blocks[s] == null) {
            blocks[s] = Nd4j.create(xp.data(), new long[]{mb, rows}, new long[]{rows, 1},
                    xp.offset() + (long) s * mb * rows, 'c', DataType.FLOAT);
        }
        return blocks[s];
    }

    @Override
    public void read(int t, float[] g) {
        ensure(t);
        FloatKernels.get(xpB, (long) (t - t0) * mb * rows, g, 0, mb * rows);
    }

    private void ensure(int t) {
        if (t0 >= 0 && t >= t0 && t < t0 + chunk) {
            return;
        }
        t0 = t;
        int tc = Math.min(chunk, tLen - t);
        INDArray steps = nwc
                ? in.get(NDArrayIndex.all(), NDArrayIndex.interval(t, t + tc), NDArrayIndex.all()).permute(2, 1, 0)
                : in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(t, t + tc)).permute(1, 2, 0);
        x.get(NDArrayIndex.interval(0, nIn), NDArrayIndex.interval(0, tc), NDArrayIndex.all()).assign(steps);
        Nd4j.gemm(x.reshape('c', nIn + 1, (long) chunk * mb), wb, xp, true, false, 1.0, 0.0);
    }
}
