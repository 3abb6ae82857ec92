package reviewnet.nn.recurrent;

import reviewnet.nn.layers.GRU;

import java.nio.FloatBuffer;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.OneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Implementation of {@link GRU}: Keras {@code GRU(reset_after=True)} on the recurrent core of
 * {@link FusedRecurrentLayer}, which runs the time loop, masking, storage and parameter gradients; this class has the
 * gate arithmetic. Step rows: {@code z | r | hh [| h_proj_h [| a_z | a_r | a_hh]] | h} (h_proj_h for backprop, the
 * pre-activations for activation functions other than sigmoid/tanh, whose derivatives come from the outputs:
 * z(1−z), 1−hh²). Element-wise work uses ND4J's legacy ops, cheaper per call than the custom ops at these sizes.
 */
public class GRULayer extends FusedRecurrentLayer<GRU> {

    public GRULayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean fastActivations() {
        return layerConf().getGateActivationFn().getClass() == ActivationSigmoid.class
                && layerConf().getActivationFn().getClass() == ActivationTanH.class;
    }

    @Override
    int scratchBlocks(boolean store) {
        return !store ? 4 : fastActivations() ? 5 : 8;
    }

    @Override
    CellStep forwardStep(Pass f, INDArray sc, boolean training, boolean store, ArrayType type, LayerWorkspaceMgr mgr) {
        final long n = f.n, mb = f.mb, n3 = 3 * n;
        final boolean fast = fastActivations();
        final boolean generic = store && !fast;
        final IActivation gateAct = layerConf().getGateActivationFn();
        final IActivation act = layerConf().getActivationFn();
        final INDArray z = rowBlock(sc, 0, n), zr = rowBlock(sc, 0, 2 * n), r = rowBlock(sc, n, n);
        final INDArray hh = rowBlock(sc, 2 * n, n), h = rowBlock(sc, sc.size(0) - n, n);
        final INDArray hph = store ? rowBlock(sc, 3 * n, n) : null;
        final INDArray aZr = generic ? rowBlock(sc, 4 * n, 2 * n) : null, aH = generic ? rowBlock(sc, 6 * n, n) : null;
        final INDArray hb = mgr.createUninitialized(type, dataType, new long[]{n3, mb}, 'c');
        final INDArray hbZr = rowBlock(hb, 0, 2 * n), hbH = rowBlock(hb, 2 * n, n);
        final INDArray xb = mgr.createUninitialized(type, dataType, new long[]{n3, mb}, 'c');
        final INDArray xbZr = rowBlock(xb, 0, 2 * n), xbH = rowBlock(xb, 2 * n, n);
        final INDArray rbTile = mgr.create(type, dataType, new long[]{n3, mb}, 'c');
        Nd4j.getExecutioner().exec(new BroadcastCopyOp(rbTile, f.rb.reshape(n3), rbTile, 0));
        return new CellStep() {
            @Override
            public INDArray input() {
                return xb;
            }

            @Override
            public void forward(boolean first) {
                copy(rbTile, 0, hb, 0, n3 * mb);                       // recurrent projection h·RW + rb
                if (!first) {
                    f.rec.apply(true, h, hb, 1.0);
                }
                pw(xbZr, hbZr, zr, ADD);
                if (generic) {
                    aZr.assign(zr);
                }
                if (fast) {
                    Nd4j.getExecutioner().exec(new Sigmoid(zr, zr));
                } else {
                    applyActivation(gateAct, zr, training);
                }
                pw(r, hbH, hh, MUL);                                   // candidate: act(x_h + r ⊙ (h·RW_h + rb_h))
                pw(hh, xbH, hh, ADD);
                if (generic) {
                    aH.assign(hh);
                }
                if (fast) {
                    Nd4j.getExecutioner().exec(new Tanh(hh, hh));
                } else {
                    applyActivation(act, hh, training);
                }
                if (hph != null) {
                    hph.assign(hbH);
                }
                pw(h, hh, h, SUB);                                     // h_t = hh + z ⊙ (h_{t-1} − hh)
                pw(h, z, h, MUL);
                pw(h, hh, h, ADD);
            }
        };
    }

    /** Float inference needs the standard activations, whose kernels {@link FloatKernels#gruStep} has. */
    @Override
    boolean floatPath() {
        return dataType == DataType.FLOAT && fastActivations();
    }

    /**
     * The GRU's float step: the recurrent term {@code h·RW + rb} ({@code rb} tiled once per pass) by gemm, then
     * {@link FloatKernels#gruStep}.
     */
    @Override
    FloatStep floatStep(int mb, ArrayType type, LayerWorkspaceMgr mgr) {
        final int n = Math.toIntExact(layerConf().getNOut());
        final int nm = n * mb;
        INDArray rb = getParamWithNoise(FusedRecurrentParamInitializer.RECURRENT_BIAS_KEY, false, mgr);
        INDArray rbTile = mgr.createUninitialized(type, DataType.FLOAT, new long[]{mb, 3L * n}, 'c');
        rbTile.assign(rb.castTo(DataType.FLOAT).reshape(1, 3L * n).broadcast(mb, 3L * n));
        INDArray rec = mgr.createUninitialized(type, DataType.FLOAT, new long[]{mb, 3L * n}, 'c');
        FloatBuffer recB = FloatKernels.floats(rec);
        INDArray rw = getParamWithNoise(FusedRecurrentParamInitializer.RECURRENT_WEIGHT_KEY, false, mgr).castTo(DataType.FLOAT);
        float[] g = new float[3 * nm];
        float[] r = new float[3 * nm];
        return (t, first, state, projection, states) -> {
            rec.assign(rbTile);
            if (!first) {
                Nd4j.gemm(state, rw, rec, false, false, 1.0, 1.0);
            }
            FloatKernels.get(recB, 0, r, 0, 3 * nm);
            projection.read(t, g);
            FloatKernels.gruStep(g, r, states[0], n, mb);
        };
    }

    /** Gate gradients {@code gZ | gR | gH | daH}: dL/d(h·RW + rb) in the first 3n rows, daH = dL/d(pre hh). */
    @Override
    CellStep backwardStep(Pass f, INDArray win, LayerWorkspaceMgr mgr) {
        final long n = f.n, mb = f.mb;
        final ArrayType ws = ArrayType.BP_WORKING_MEM;
        final boolean generic = win.size(0) > 5 * n;
        final INDArray hPrev = rowBlock(win, 0, n), z = rowBlock(win, n, n), zr = rowBlock(win, n, 2 * n);
        final INDArray r = rowBlock(win, 2 * n, n), hh = rowBlock(win, 3 * n, n), hph = rowBlock(win, 4 * n, n);
        final INDArray aZr = generic ? rowBlock(win, 5 * n, 2 * n) : null, aH = generic ? rowBlock(win, 7 * n, n) : null;
        final INDArray gb = mgr.createUninitialized(ws, dataType, new long[]{4 * n, mb}, 'c');
        final INDArray gbG = rowBlock(gb, 0, 3 * n), gbZ = rowBlock(gb, 0, n), gbR = rowBlock(gb, n, n);
        final INDArray gbH = rowBlock(gb, 2 * n, n), gbDaH = rowBlock(gb, 3 * n, n);
        final INDArray dzr = mgr.createUninitialized(ws, dataType, new long[]{2 * n, mb}, 'c');   // gate'(.) of z | r
        final INDArray dz = rowBlock(dzr, 0, n), dr = rowBlock(dzr, n, n);
        final INDArray dhh = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c');      // act'(.) of hh
        final INDArray tmp = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c');
        final INDArray direct = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c');
        final INDArray ones2 = generic ? mgr.createUninitialized(ws, dataType, new long[]{2 * n, mb}, 'c').assign(1.0) : null;
        final INDArray ones1 = generic ? mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c').assign(1.0) : null;
        final IActivation gateAct = layerConf().getGateActivationFn();
        final IActivation act = layerConf().getActivationFn();
        return new CellStep() {
            @Override
            public INDArray backward(long t, StateGrad d, StateGrad next, boolean hasPrev, boolean accumulate) {
                if (generic) {
                    dzr.assign(aZr);
                    INDArray d1 = gateAct.backprop(dzr, ones2).getFirst();
                    if (d1 != dzr) {
                        dzr.assign(d1);
                    }
                    dhh.assign(aH);
                    INDArray d2 = act.backprop(dhh, ones1).getFirst();
                    if (d2 != dhh) {
                        dhh.assign(d2);
                    }
                } else {
                    Nd4j.getExecutioner().exec(new TimesOneMinus(zr, dzr));     // σ' = σ(1−σ)
                    pw(hh, hh, dhh, MUL);
                    Nd4j.getExecutioner().exec(new OneMinus(dhh, dhh));         // tanh' = 1 − tanh²
                }
                // h_t = z ⊙ h_{t-1} + (1 − z) ⊙ hh
                INDArray dPrev = accumulate ? direct : next.h;
                pw(hPrev, hh, tmp, SUB);
                pw(tmp, dz, gbZ, MUL);
                pw(gbZ, d.h, gbZ, MUL);                          // dL/d(pre z)
                pw(d.h, z, dPrev, MUL);                          // direct path to h_{t-1}
                pw(d.h, dPrev, tmp, SUB);                        // dL/dhh = dh ⊙ (1 − z)
                pw(tmp, dhh, gbDaH, MUL);                        // dL/d(pre hh)
                pw(dr, hph, gbR, MUL);
                pw(gbR, gbDaH, gbR, MUL);                        // dL/d(pre r)
                pw(gbDaH, r, gbH, MUL);                          // dL/d(h·RW_h + rb_h)
                if (hasPrev) {
                    if (accumulate) {
                        pw(next.h, direct, next.h, ADD);
                    }
                    f.rec.apply(false, gbG, next.h, 1.0);
                }
                return gb;
            }
        };
    }

    /** The input projection's gradients are {@code gZ | gR} and daH (W's hh columns see the pre-activation of hh). */
    @Override
    long[] inputBlocks(Pass f) {
        return new long[]{0, 0, 2 * f.n, 3 * f.n, 2 * f.n, f.n};
    }
}
