package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedLstm;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.OneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Implementation of {@link FusedLstm}: Keras {@code LSTM} (tanh / sigmoid, no peepholes) on the recurrent core of
 * {@link FusedRecurrentLayer}; this class has the gate arithmetic. Step rows: {@code i | f | g | o | tanh(c) | c | h},
 * so adjacent blocks take one call (sigmoid of i | f, ...) and the derivatives come from the stored activations
 * (σ' = σ(1−σ), tanh' = 1−tanh²).
 */
public class FusedLstmLayer extends FusedRecurrentLayer<FusedLstm> {

    public FusedLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    int stateCount() {
        return 2;
    }

    @Override
    int scratchBlocks(boolean store) {
        return 7;
    }

    @Override
    CellStep forwardStep(Pass f, INDArray sc, boolean training, boolean store, ArrayType type, LayerWorkspaceMgr mgr) {
        final long n = f.n;
        final INDArray gates = rowBlock(sc, 0, 4 * n), gIF = rowBlock(sc, 0, 2 * n);
        final INDArray gI = rowBlock(sc, 0, n), gF = rowBlock(sc, n, n), gG = rowBlock(sc, 2 * n, n);
        final INDArray gO = rowBlock(sc, 3 * n, n), tc = rowBlock(sc, 4 * n, n);
        final INDArray c = rowBlock(sc, 5 * n, n), h = rowBlock(sc, 6 * n, n);
        return new CellStep() {
            @Override
            public INDArray input() {
                return gates;
            }

            @Override
            public void forward(boolean first) {
                if (!first) {                                          // x_proj (+ b) + h_{t-1}·RW
                    f.rec.apply(true, h, gates, 1.0);
                }
                Nd4j.getExecutioner().exec(new Sigmoid(gIF, gIF));
                Nd4j.getExecutioner().exec(new Tanh(gG, gG));
                Nd4j.getExecutioner().exec(new Sigmoid(gO, gO));
                // c_t = f ⊙ c_{t-1} + i ⊙ g (tc rows as temporary), h_t = o ⊙ tanh(c_t)
                pw(gF, c, c, MUL);
                pw(gI, gG, tc, MUL);
                pw(c, tc, c, ADD);
                Nd4j.getExecutioner().exec(new Tanh(c, tc));
                pw(gO, tc, h, MUL);
            }
        };
    }

    @Override
    boolean floatPath() {
        return dataType == DataType.FLOAT;
    }

    /**
     * {@code [W; b]} as one float matrix [nIn + 1, 4n] for the float input projections, the candidate gate's columns
     * doubled, so that one logistic pass covers all four gates ({@code tanh x = 2σ(2x) − 1}).
     */
    @Override
    INDArray inputWeightsAndBias(INDArray w, INDArray b, ArrayType type, LayerWorkspaceMgr mgr) {
        long n = layerConf().getNOut();
        INDArray wb = InputProjection.weightsAndBias(w, b, type, mgr);
        wb.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * n, 3 * n)).muli(2.0);
        return wb;
    }

    /**
     * The LSTM's float step: the recurrent gemm adds onto step t's input projection in place (RW's candidate columns
     * doubled, as W's), then {@link FloatKernels#lstmStep}.
     */
    @Override
    FloatStep floatStep(int mb, ArrayType type, LayerWorkspaceMgr mgr) {
        final int n = Math.toIntExact(layerConf().getNOut());
        INDArray rw = mgr.dup(type, getParamWithNoise(FusedRecurrentParamInitializer.RECURRENT_WEIGHT_KEY, false, mgr)
                .castTo(DataType.FLOAT), 'c');
        rw.get(NDArrayIndex.all(), NDArrayIndex.interval(2L * n, 3L * n)).muli(2.0);
        float[] g = new float[4 * n * mb];
        float[] th = new float[n * mb];
        return (t, first, state, projection, states) -> {
            if (!first) {
                Nd4j.gemm(state, rw, projection.block(t), false, false, 1.0, 1.0);
            }
            projection.read(t, g);
            FloatKernels.lstmStep(g, states[1], states[0], th, n, mb);
        };
    }

    /** Window {@code c_{t-1} | h_{t-1} | i | f | g | o | tanh(c_t)}; gate gradients i | f | g | o. */
    @Override
    CellStep backwardStep(Pass f, INDArray win, LayerWorkspaceMgr mgr) {
        final long n = f.n, n4 = 4 * n, mb = f.mb;
        final ArrayType ws = ArrayType.BP_WORKING_MEM;
        final INDArray cPrev = rowBlock(win, 0, n), gates = rowBlock(win, 2 * n, n4);
        final INDArray gI = rowBlock(win, 2 * n, n), gF = rowBlock(win, 3 * n, n), gG = rowBlock(win, 4 * n, n);
        final INDArray gO = rowBlock(win, 5 * n, n), tc = rowBlock(win, 6 * n, n);
        final INDArray dAct = mgr.createUninitialized(ws, dataType, new long[]{n4, mb}, 'c');   // act'(.) by gate
        final INDArray dActG = rowBlock(dAct, 2 * n, n);
        final INDArray gb = mgr.createUninitialized(ws, dataType, new long[]{n4, mb}, 'c');
        final INDArray gbI = rowBlock(gb, 0, n), gbF = rowBlock(gb, n, n), gbG = rowBlock(gb, 2 * n, n);
        final INDArray gbO = rowBlock(gb, 3 * n, n);
        final INDArray tmp = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c');
        return new CellStep() {
            @Override
            public INDArray backward(long t, StateGrad d, StateGrad next, boolean hasPrev, boolean accumulate) {
                // σ' = σ(1−σ) on all gates, then tanh' = 1 − g² on the g rows
                Nd4j.getExecutioner().exec(new TimesOneMinus(gates, dAct));
                pw(gG, gG, dActG, MUL);
                Nd4j.getExecutioner().exec(new OneMinus(dActG, dActG));
                // dL/dc_t += dL/dh_t ⊙ o ⊙ (1 − tanh²(c_t))
                pw(tc, tc, tmp, MUL);
                Nd4j.getExecutioner().exec(new OneMinus(tmp, tmp));
                pw(tmp, gO, tmp, MUL);
                pw(tmp, d.h, tmp, MUL);
                pw(d.c, tmp, d.c, ADD);
                // dL/d(pre-activations): i: dc ⊙ g, f: dc ⊙ c_{t-1}, g: dc ⊙ i, o: dh ⊙ tanh(c_t); times act'
                pw(d.c, gG, gbI, MUL);
                pw(d.c, cPrev, gbF, MUL);
                pw(d.c, gI, gbG, MUL);
                pw(d.h, tc, gbO, MUL);
                pw(gb, dAct, gb, MUL);
                if (hasPrev) {
                    if (accumulate) {
                        pw(d.c, gF, tmp, MUL);
                        pw(next.c, tmp, next.c, ADD);
                    } else {
                        pw(d.c, gF, next.c, MUL);
                    }
                    f.rec.apply(false, gb, next.h, accumulate ? 1.0 : 0.0);
                }
                return gb;
            }
        };
    }
}
