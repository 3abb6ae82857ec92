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
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.OneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Implementation of {@link GRU}: Keras {@code GRU(reset_after=True)}, forward and backward written by hand.
 *
 * <h3>Layout</h3>
 * Internally everything is "features × (time, example)": 'c' ordered matrices with one row per feature and one
 * column per (t, i) pair, column index {@code t·mb + i}. Then
 * <ul>
 *   <li>the input projection of all steps is ONE gemm: {@code XP[3n, T·mb] = Wᵀ · X[nIn, T·mb] (+ b)};</li>
 *   <li>one step is a column block {@code [k, mb]}; the per-step recurrent gemm is {@code RWᵀ · h[n, mb]};</li>
 *   <li>inside a step every gate block (z, r, h) is a block of ROWS of a 'c' ordered scratch matrix, i.e. a
 *       contiguous array, so the element-wise work runs on contiguous memory;</li>
 *   <li>after the backward loop dW, dRW, db, drb and dL/dx come from a few gemms/sums over all steps.</li>
 * </ul>
 * Per step only 3 (forward) / 4 (backward) array views are created (+1 with a mask), because creating an INDArray
 * view costs about as much as a small op in ND4J 1.0.0-M2; all other per-step operands are views made once per pass. Element-wise work
 * uses ND4J's legacy ops (pairwise add/sub/mul, Sigmoid, Tanh, TimesOneMinus, OneMinus), which cost ~3 µs per call
 * for these sizes versus ~10 µs for the equivalent custom ops.
 *
 * <h3>Storage for backprop</h3>
 * The states go to {@code H [n, T·mb]} (output, dRW gemm); the other per-step values a backward step needs
 * (z | r | hh | h_proj_h, plus the pre-activations of z, r, hh for activation functions other than sigmoid/tanh)
 * go to a {@code [T, rows, mb]} array whose per-step blocks are contiguous, because a strided copy of a whole step
 * costs ~15x a contiguous one. With sigmoid/tanh the derivatives come from the outputs (z(1−z), 1−hh²).
 * A training forward pass ({@code activate(true)}) keeps these arrays in the ACTIVATIONS workspace, which DL4J keeps
 * open until the backward pass of the same iteration, and backpropGradient reuses them when the layer input and mask
 * are still the same arrays; otherwise (e.g. a direct backpropGradient call) the forward pass is recomputed into
 * BP_WORKING_MEM, which is what DL4J's own SimpleRnn always does.
 *
 * <h3>Last step only</h3>
 * With {@code returnSequences=false} the output is the final state {@code h_T^T [mb, n]}; with the (required)
 * carried state this is the output of each example's last unmasked step, as DL4J's {@code LastTimeStep} picks it.
 * Inference then keeps no states at all, and in backprop the epsilon enters the loop as the initial dL/dh, with no
 * full-sequence epsilon to copy or add (as in {@link FusedLstmLayer}).
 */
public class GRULayer extends FusedRecurrentLayer<GRU> {

    public GRULayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Everything a forward pass leaves for the backward pass. */
    private static final class Fwd extends Pass {
        INDArray x;          // [nIn, T*mb]
        INDArray h;          // [n, T*mb] states h_t (column block t); null in last-step-only inference
        INDArray steps;      // [T, rows, mb] per-step values kept for backprop (z | r | hh | h_proj_h | ...), or null
        INDArray maskT;      // [T, mb] or null
        boolean generic;
    }

    private boolean fastActivations() {
        return layerConf().getGateActivationFn().getClass() == ActivationSigmoid.class
                && layerConf().getActivationFn().getClass() == ActivationTanH.class;
    }

    /**
     * @param store       keep what backprop needs (per-step z, r, hh, h_proj_h, ...)
     * @param forBackprop internal recompute inside backpropGradient: everything goes to BP_WORKING_MEM, no output
     */
    @Override
    Pass forward(INDArray[] prev, boolean training, boolean store, boolean forBackprop, LayerWorkspaceMgr mgr) {
        final Dims d = prepare(prev, training, store, mgr);
        final INDArray prevState = prev == null ? null : prev[0];
        final boolean seq = layerConf().isReturnSequences();
        final long mb = d.mb(), tLen = d.tLen(), n = d.n();

        final ArrayType tmpType = forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.FF_WORKING_MEM;
        final ArrayType keepType = forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.ACTIVATIONS;
        final long cols = tLen * mb;
        final long n3 = 3 * n;
        final boolean fast = fastActivations();
        final boolean generic = store && !fast;
        final IActivation gateAct = layerConf().getGateActivationFn();
        final IActivation act = layerConf().getActivationFn();

        Fwd f = new Fwd();
        f.generic = generic;
        INDArray b = begin(f, d, training, mgr);
        INDArray rb = getParamWithNoise(FusedRecurrentParamInitializer.RECURRENT_BIAS_KEY, training, mgr);

        final boolean carry = layerConf().isCarryStateOnMask();
        if (!store && !forBackprop && floatPath()) {
            return floatInference(d, f.w, b, prev, tmpType, mgr);
        }
        // Input as [nIn, T*mb] (column t*mb+i = example i at step t), then all input projections with ONE gemm.
        f.x = byStep(d, store ? keepType : tmpType, mgr);
        INDArray xp = mgr.createUninitialized(tmpType, dataType, new long[]{n3, cols}, 'c');
        Nd4j.gemm(f.w, f.x, xp, true, false, 1.0, 0.0);
        xp.addiColumnVector(b.reshape(n3, 1));

        // Scratch for one step; all sub-views are made here once.
        final int scRows = store ? (generic ? 8 : 5) : 4;
        INDArray sc = mgr.create(tmpType, dataType, new long[]{scRows * n, mb}, 'c');
        Blocks s = new Blocks(sc, n);
        INDArray hb = mgr.createUninitialized(tmpType, dataType, new long[]{n3, mb}, 'c');
        INDArray hbZr = rowBlock(hb, 0, 2 * n);
        INDArray hbH = rowBlock(hb, 2 * n, n);
        INDArray xb = mgr.createUninitialized(tmpType, dataType, new long[]{n3, mb}, 'c');
        INDArray xbZr = rowBlock(xb, 0, 2 * n);
        INDArray xbH = rowBlock(xb, 2 * n, n);
        INDArray rbTile = mgr.create(tmpType, dataType, new long[]{n3, mb}, 'c');
        Nd4j.getExecutioner().exec(new BroadcastCopyOp(rbTile, rb.reshape(n3), rbTile, 0));

        final boolean hasPrev = prevState != null;
        if (hasPrev) {
            s.h.assign(prevState.castTo(dataType).transpose());
        }

        f.maskT = maskByStep(d, store ? keepType : tmpType, mgr);
        INDArray hPrevCopy = f.maskT == null ? null : mgr.createUninitialized(tmpType, dataType, new long[]{n, mb}, 'c');

        // What is kept: the states as [n, T*mb] (for the output and the dRW gemm; not needed for last-step-only
        // inference) and, for backprop, the other per-step values as contiguous [rows, mb] blocks of a [T, rows, mb]
        // array (cheap per-step copies).
        f.h = store || (seq && !forBackprop)
                ? mgr.createUninitialized(store ? keepType : tmpType, dataType, new long[]{n, cols}, 'c') : null;
        f.steps = store ? mgr.createUninitialized(keepType, dataType, new long[]{tLen, s.rest.size(0), mb}, 'c') : null;

        for (long t = 0; t < tLen; t++) {
            // recurrent projection (+ rb)
            hb.assign(rbTile);
            if (t > 0 || hasPrev) {
                Nd4j.gemm(f.rw, s.h, hb, true, false, 1.0, 1.0);
            }
            xb.assign(colBlock(xp, t * mb, mb));
            // z | r
            pw(xbZr, hbZr, s.zr, ADD);
            if (generic) {
                s.aZr.assign(s.zr);
            }
            if (fast) {
                Nd4j.getExecutioner().exec(new Sigmoid(s.zr, s.zr));
            } else {
                applyActivation(gateAct, s.zr, training);
            }
            // candidate: act(x_h + r ⊙ (h·RW_h + rb_h))
            pw(s.r, hbH, s.hh, MUL);
            pw(s.hh, xbH, s.hh, ADD);
            if (generic) {
                s.aH.assign(s.hh);
            }
            if (fast) {
                Nd4j.getExecutioner().exec(new Tanh(s.hh, s.hh));
            } else {
                applyActivation(act, s.hh, training);
            }
            if (store) {
                s.hph.assign(hbH);
            }
            // h_t = hh + z ⊙ (h_{t-1} − hh), in place on the state rows
            if (hPrevCopy != null) {
                hPrevCopy.assign(s.h);
            }
            pw(s.h, s.hh, s.h, SUB);
            pw(s.h, s.z, s.h, MUL);
            pw(s.h, s.hh, s.h, ADD);
            if (hPrevCopy != null) {
                maskStep(s.h, hPrevCopy, s.h, maskRow(f.maskT, t, mb), 1, carry);
            }
            if (f.h != null) {
                colBlock(f.h, t * mb, mb).assign(s.h);
            }
            if (store) {
                stepBlock(f.steps, t).assign(s.rest);
            }
        }
        f.last = new INDArray[]{s.h.transpose()};
        if (!forBackprop) {
            f.output = output(seq ? f.h.reshape('c', n, tLen, mb) : null, f.last[0], d, mgr);
        }
        return f;
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

    /** Row blocks of a step matrix [rows, mb]: h | z | r | hh | h_proj_h | a_z | a_r | a_hh (as many as present). */
    private static final class Blocks {
        final INDArray h, rest, z, r, zr, hh, hph, aZr, aH;

        Blocks(INDArray m, long n) {
            long rows = m.size(0);
            h = rowBlock(m, 0, n);
            rest = rowBlock(m, n, rows - n);
            z = rowBlock(m, n, n);
            r = rowBlock(m, 2 * n, n);
            zr = rowBlock(m, n, 2 * n);
            hh = rowBlock(m, 3 * n, n);
            hph = rows >= 5 * n ? rowBlock(m, 4 * n, n) : null;
            aZr = rows >= 8 * n ? rowBlock(m, 5 * n, 2 * n) : null;
            aH = rows >= 8 * n ? rowBlock(m, 7 * n, n) : null;
        }
    }

    /** Block t of a 'c' ordered [T, rows, mb] array as a contiguous [rows, mb] matrix. */
    private static INDArray stepBlock(INDArray a, long t) {
        long rows = a.size(1), mb = a.size(2);
        return Nd4j.create(a.data(), new long[]{rows, mb}, new long[]{mb, 1}, a.offset() + t * rows * mb, 'c', a.dataType());
    }

    @Override
    INDArray backward(Pass pass, INDArray epsIn, LayerWorkspaceMgr mgr) {
        Fwd f = (Fwd) pass;
        final long mb = f.mb, tLen = f.tLen, n = f.n, n3 = 3 * n, nIn = f.nIn;
        final long cols = tLen * mb;
        final boolean seq = layerConf().isReturnSequences();
        final ArrayType ws = ArrayType.BP_WORKING_MEM;
        final boolean carry = layerConf().isCarryStateOnMask();
        final boolean masked = f.maskT != null;

        INDArray dh = mgr.create(ws, dataType, new long[]{n, mb}, 'c');                    // dL/dh_t (total)
        INDArray eps = null;   // dL/d(output) as [T, n, mb] (contiguous per step); full sequence only
        if (seq) {
            eps = stepEpsilons(epsIn, f.maskT, tLen, n, mb, mgr);
        } else {
            dh.assign(epsIn.transpose());                    // the output is the last state h_T
        }

        // Per-step gradients of [z, r, h_proj_h | pre-activation of hh], all steps: rows gZ | gR | gH | daH
        INDArray dg = mgr.createUninitialized(ws, dataType, new long[]{4 * n, cols}, 'c');

        final long sbRows = f.steps.size(1) + n;          // same row layout as the forward scratch
        Blocks cur = new Blocks(mgr.createUninitialized(ws, dataType, new long[]{sbRows, mb}, 'c'), n);
        INDArray zeros = mgr.create(ws, dataType, new long[]{n, mb}, 'c');                    // h_{-1}
        INDArray gb = mgr.createUninitialized(ws, dataType, new long[]{4 * n, mb}, 'c');
        INDArray gbG = rowBlock(gb, 0, n3);
        INDArray gbZ = rowBlock(gb, 0, n);
        INDArray gbR = rowBlock(gb, n, n);
        INDArray gbH = rowBlock(gb, 2 * n, n);
        INDArray gbDaH = rowBlock(gb, 3 * n, n);
        INDArray dzr = mgr.createUninitialized(ws, dataType, new long[]{2 * n, mb}, 'c');   // gate'(.) for z | r
        INDArray dz = rowBlock(dzr, 0, n);
        INDArray dr = rowBlock(dzr, n, n);
        INDArray dhh = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c');      // act'(.) for hh
        INDArray tmp = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c');
        INDArray dNext = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c');    // dL/dh_{t-1}
        INDArray dhNewBuf = masked ? mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c') : null;
        INDArray ones2 = null, ones1 = null;
        if (f.generic) {
            ones2 = mgr.createUninitialized(ws, dataType, new long[]{2 * n, mb}, 'c').assign(1.0);
            ones1 = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c').assign(1.0);
        }
        final IActivation gateAct = layerConf().getGateActivationFn();
        final IActivation act = layerConf().getActivationFn();

        for (long t = tLen - 1; t >= 0; t--) {
            cur.rest.assign(stepBlock(f.steps, t));
            INDArray hPrev = t > 0 ? colBlock(f.h, (t - 1) * mb, mb) : zeros;

            if (seq) {
                pw(dh, stepBlock(eps, t), dh, ADD);
            }
            INDArray dhn = dh;                                   // gradient w.r.t. the freshly computed state
            if (masked) {
                Nd4j.getExecutioner().exec(new BroadcastMulOp(dh, maskRow(f.maskT, t, mb), dhNewBuf, 1));
                dhn = dhNewBuf;
            }

            // activation derivatives at this step
            if (f.generic) {
                dzr.assign(cur.aZr);
                INDArray d1 = gateAct.backprop(dzr, ones2).getFirst();
                if (d1 != dzr) {
                    dzr.assign(d1);
                }
                dhh.assign(cur.aH);
                INDArray d2 = act.backprop(dhh, ones1).getFirst();
                if (d2 != dhh) {
                    dhh.assign(d2);
                }
            } else {
                Nd4j.getExecutioner().exec(new TimesOneMinus(cur.zr, dzr));     // σ' = σ(1−σ)
                pw(cur.hh, cur.hh, dhh, MUL);
                Nd4j.getExecutioner().exec(new OneMinus(dhh, dhh));             // tanh' = 1 − tanh²
            }

            // h_t = z ⊙ h_{t-1} + (1 − z) ⊙ hh
            pw(hPrev, cur.hh, tmp, SUB);
            pw(tmp, dz, gbZ, MUL);
            pw(gbZ, dhn, gbZ, MUL);                          // dL/d(pre z)
            pw(dhn, cur.z, dNext, MUL);                      // direct path to h_{t-1}
            pw(dhn, dNext, tmp, SUB);                        // dL/dhh = dhn ⊙ (1 − z)
            pw(tmp, dhh, gbDaH, MUL);                        // dL/d(pre hh)
            pw(dr, cur.hph, gbR, MUL);
            pw(gbR, gbDaH, gbR, MUL);                        // dL/d(pre r)
            pw(gbDaH, cur.r, gbH, MUL);                      // dL/d(h·RW_h + rb_h)
            colBlock(dg, t * mb, mb).assign(gb);

            if (t > 0) {
                Nd4j.gemm(f.rw, gbG, dNext, false, false, 1.0, 1.0);
                if (masked && carry) {
                    pw(dNext, dh, dNext, ADD);               // + (1 − m) ⊙ dh through the carried state
                    pw(dNext, dhNewBuf, dNext, SUB);
                }
                INDArray swap = dh;
                dh = dNext;
                dNext = swap;
            }
        }

        INDArray wg = gradientViews.get(FusedRecurrentParamInitializer.WEIGHT_KEY);
        INDArray rwg = gradientViews.get(FusedRecurrentParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray bg = gradientViews.get(FusedRecurrentParamInitializer.BIAS_KEY);
        INDArray rbg = gradientViews.get(FusedRecurrentParamInitializer.RECURRENT_BIAS_KEY);

        INDArray dgZr = rowBlock(dg, 0, 2 * n);      // dL/d(pre z | pre r) = dL/d(x·W + b) for z | r
        INDArray dgG = rowBlock(dg, 0, n3);          // dL/d(h·RW + rb)
        INDArray dgDaH = rowBlock(dg, 3 * n, n);     // dL/d(x·W + b) for hh

        // dW = X · dXPᵀ  (W is 'f' ordered: its column blocks are contiguous gemm outputs)
        Nd4j.gemm(f.x, dgZr, wg.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2 * n)), false, true, 1.0, 0.0);
        Nd4j.gemm(f.x, dgDaH, wg.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * n, n3)), false, true, 1.0, 0.0);
        bg.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 2 * n)).assign(dgZr.sum(1));
        bg.get(NDArrayIndex.point(0), NDArrayIndex.interval(2 * n, n3)).assign(dgDaH.sum(1));

        // dRW = Σ_t h_{t-1} · G_tᵀ over t ≥ 1 (h_{-1} = 0), h_{t-1} being the stored state of step t-1
        if (tLen > 1) {
            Nd4j.gemm(colBlock(f.h, 0, (tLen - 1) * mb), colBlock(dgG, mb, (tLen - 1) * mb), rwg,
                    false, true, 1.0, 0.0);
        } else {
            rwg.assign(0.0);
        }
        rbg.assign(dgG.sum(1).reshape(1, n3));

        // dL/dx = W · dXP
        INDArray dx = mgr.createUninitialized(ws, dataType, new long[]{nIn, cols}, 'c');
        Nd4j.gemm(f.w.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2 * n)), dgZr, dx, false, false, 1.0, 0.0);
        Nd4j.gemm(f.w.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * n, n3)), dgDaH, dx, false, false, 1.0, 1.0);
        return inputGradient(dx, tLen, mb, mgr);
    }
}
