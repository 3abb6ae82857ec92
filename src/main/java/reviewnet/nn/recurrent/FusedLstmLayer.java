package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedLstm;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.OneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Implementation of {@link FusedLstm}: Keras {@code LSTM} (tanh / sigmoid, no peepholes), forward and backward
 * written by hand in the style of {@link GRULayer}.
 *
 * <h3>Layout</h3>
 * Internally everything is "features × (time, example)": 'c' ordered matrices with one row per feature and one
 * column per (t, i) pair, column index {@code t·mb + i}. Then
 * <ul>
 *   <li>the input projection of all steps is ONE gemm: {@code XP[4n, T·mb] = Wᵀ · X[nIn, T·mb] + b}, then ONE
 *       permuted copy regroups it by step ({@code [T, 4n, mb]}), because a strided copy of a {@code [4n, mb]} column
 *       block in every step costs several times more in ND4J 1.0.0-M2; the per-step recurrent gemm
 *       {@code RWᵀ · h[n, mb]} is added onto the step's (contiguous) input projection;</li>
 *   <li>inside a step every block (gates i, f, g, o, tanh(c), c, h) is a block of ROWS of a 'c' ordered
 *       {@code [7n, mb]} scratch matrix, so the element-wise work runs on contiguous memory and adjacent blocks are
 *       handled by one call (sigmoid of i | f, the mask update of c | h, ...);</li>
 *   <li>the backward loop stores the gate gradients by step ({@code [T, 4n, mb]}, contiguous) and regroups them with
 *       one permuted copy to {@code dG[4n, T·mb]}, from which dW, dRW, db and dL/dx come with a few gemms/sums.</li>
 * </ul>
 * Per step the forward pass makes 2 array views and 11 native calls (copies, the gemm, legacy pairwise mul/add,
 * Sigmoid, Tanh); the backward pass 3 views and 19 calls (+1 view and 2-4 calls with a mask). All other operands are
 * views made once per pass, since creating a view costs about as much as a small op in ND4J 1.0.0-M2.
 *
 * <h3>Storage for backprop</h3>
 * A training forward pass copies the whole step scratch {@code i | f | g | o | tanh(c) | c | h} (7n rows) into a
 * {@code [2n + T·7n, mb]} array whose first 2n rows are the zero initial state {@code c | h}. Because c and h are the
 * last rows of a step block, the rows {@code [7n·t, 7n·t + 7n)} are exactly what backward step t needs:
 * {@code c_{t-1} | h_{t-1} | i | f | g | o | tanh(c_t)}, fetched with ONE contiguous copy. The derivatives come from
 * the stored activations (σ' = σ(1−σ), tanh' = 1−tanh²). The states for the output and the dRW gemm come from a
 * strided view of the same array (one permuted copy each). As in {@link GRULayer} the training forward pass stays in the ACTIVATIONS workspace until
 * the backward pass of the same iteration, which reuses it when the layer input and mask are still the same arrays;
 * otherwise the forward pass is recomputed into BP_WORKING_MEM.
 *
 * <h3>Last step only</h3>
 * With {@code returnSequences=false} the output is the final state {@code h_T^T [mb, n]}; with the (required)
 * carried state this is the output of each example's last unmasked step, as DL4J's {@code LastTimeStep} picks it.
 * Its epsilon enters the backward loop as the initial dL/dh, with no full-sequence epsilon to copy or add.
 */
public class FusedLstmLayer extends FusedRecurrentLayer<FusedLstm> {

    public FusedLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    int stateCount() {
        return 2;
    }

    /** Everything a forward pass leaves for the backward pass. */
    private static final class Fwd extends Pass {
        INDArray x;          // [nIn, T*mb]
        INDArray steps;      // [2n + T*7n, mb]: c_{-1} | h_{-1}, then per step i | f | g | o | tanh(c) | c | h; or null
        INDArray maskT;      // [T, mb] or null
    }

    /** Rows of the step scratch: i | f | g | o | tanh(c) | c | h. */
    private static final int SCRATCH_BLOCKS = 7;

    /**
     * @param store       keep what backprop needs (the per-step scratch blocks)
     * @param forBackprop internal recompute inside backpropGradient: everything goes to BP_WORKING_MEM, no output
     */
    @Override
    Pass forward(INDArray[] prev, boolean training, boolean store, boolean forBackprop, LayerWorkspaceMgr mgr) {
        final Dims d = prepare(prev, training, store, mgr);
        final INDArray prevH = prev == null ? null : prev[0];
        final INDArray prevC = prev == null ? null : prev[1];
        final boolean hasPrev = prevH != null;
        final boolean seq = layerConf().isReturnSequences();
        final long mb = d.mb(), tLen = d.tLen(), n = d.n();

        final ArrayType tmpType = forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.FF_WORKING_MEM;
        final ArrayType keepType = forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.ACTIVATIONS;
        final long cols = tLen * mb;
        final long n4 = 4 * n;
        final long blk = SCRATCH_BLOCKS * n;

        Fwd f = new Fwd();
        INDArray b = begin(f, d, training, mgr);

        final boolean carry = layerConf().isCarryStateOnMask();
        if (!store && !forBackprop && floatPath()) {
            return floatInference(d, f.w, b, prev, tmpType, mgr);
        }
        // Input as [nIn, T*mb] (column t*mb+i = example i at step t), then all input projections with ONE gemm.
        f.x = byStep(d, store ? keepType : tmpType, mgr);
        INDArray xp = mgr.createUninitialized(tmpType, dataType, new long[]{n4, cols}, 'c');
        Nd4j.gemm(f.w, f.x, xp, true, false, 1.0, 0.0);
        xp.addiColumnVector(b.reshape(n4, 1));
        // ... regrouped by step ([T·4n, mb], block t = rows [4n·t, 4n·t + 4n)): one permuted copy here is much
        // cheaper than a strided copy of a column block in every step
        INDArray xpSteps = mgr.createUninitialized(tmpType, dataType, new long[]{tLen, n4, mb}, 'c');
        xpSteps.assign(xp.reshape('c', n4, tLen, mb).permute(1, 0, 2));
        xpSteps = xpSteps.reshape('c', tLen * n4, mb);

        // Scratch for one step; all sub-views are made here once.
        INDArray sc = mgr.create(tmpType, dataType, new long[]{blk, mb}, 'c');
        INDArray gates = rowBlock(sc, 0, n4);
        INDArray gI = rowBlock(sc, 0, n);
        INDArray gIF = rowBlock(sc, 0, 2 * n);
        INDArray gF = rowBlock(sc, n, n);
        INDArray gG = rowBlock(sc, 2 * n, n);
        INDArray gO = rowBlock(sc, 3 * n, n);
        INDArray tc = rowBlock(sc, 4 * n, n);
        INDArray c = rowBlock(sc, 5 * n, n);
        INDArray ch = rowBlock(sc, 5 * n, 2 * n);
        INDArray h = rowBlock(sc, 6 * n, n);
        if (hasPrev) {
            c.assign(prevC.castTo(dataType).transpose());
            h.assign(prevH.castTo(dataType).transpose());
        }

        f.maskT = maskByStep(d, store ? keepType : tmpType, mgr);
        INDArray chPrev = f.maskT != null && carry
                ? mgr.createUninitialized(tmpType, dataType, new long[]{2 * n, mb}, 'c') : null;

        // Training keeps every step's scratch (see class doc); inference with the full sequence keeps only h.
        INDArray hSeq = null;      // [T, n, mb] view of the states
        INDArray hSeqRows = null;  // inference: hSeq as [T*n, mb]
        if (store) {
            f.steps = mgr.createUninitialized(keepType, dataType, new long[]{2 * n + tLen * blk, mb}, 'c');
            rowBlock(f.steps, 0, 2 * n).assign(0.0);
            hSeq = Nd4j.create(f.steps.data(), new long[]{tLen, n, mb}, new long[]{blk * mb, mb, 1},
                    f.steps.offset() + (2 * n + 6 * n) * mb, 'c', dataType);
        } else if (seq && !forBackprop) {
            hSeq = mgr.createUninitialized(tmpType, dataType, new long[]{tLen, n, mb}, 'c');
            hSeqRows = hSeq.reshape('c', tLen * n, mb);
        }

        for (long t = 0; t < tLen; t++) {
            // pre-activations: x_proj (+ b) + h_{t-1}·RW
            gates.assign(rows(xpSteps, t * n4, n4));
            if (t > 0 || hasPrev) {
                Nd4j.gemm(f.rw, h, gates, true, false, 1.0, 1.0);
            }
            Nd4j.getExecutioner().exec(new Sigmoid(gIF, gIF));
            Nd4j.getExecutioner().exec(new Tanh(gG, gG));
            Nd4j.getExecutioner().exec(new Sigmoid(gO, gO));
            if (chPrev != null) {
                chPrev.assign(ch);
            }
            // c_t = f ⊙ c_{t-1} + i ⊙ g (tc rows as temporary), h_t = o ⊙ tanh(c_t)
            pw(gF, c, c, MUL);
            pw(gI, gG, tc, MUL);
            pw(c, tc, c, ADD);
            Nd4j.getExecutioner().exec(new Tanh(c, tc));
            pw(gO, tc, h, MUL);
            if (f.maskT != null) {
                maskStep(ch, chPrev, ch, maskRow(f.maskT, t, mb), 1, carry);
            }
            if (store) {
                rows(f.steps, 2 * n + t * blk, blk).assign(sc);
            } else if (hSeqRows != null) {
                rows(hSeqRows, t * n, n).assign(h);
            }
        }
        f.last = new INDArray[]{h.transpose(), c.transpose()};
        if (!forBackprop) {
            f.output = output(seq ? hSeq.permute(1, 0, 2) : null, f.last[0], d, mgr);
        }
        return f;
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

    // ------------------------------------------------------------------------------------------------------------
    // Backward
    // ------------------------------------------------------------------------------------------------------------

    /** dL/dh | dL/dc of one step as a [2n, mb] matrix and its two row blocks. */
    private static final class StateGrad {
        final INDArray all, h, c;

        StateGrad(INDArray all, long n) {
            this.all = all;
            this.h = rowBlock(all, 0, n);
            this.c = rowBlock(all, n, n);
        }
    }

    @Override
    INDArray backward(Pass pass, INDArray epsIn, LayerWorkspaceMgr mgr) {
        Fwd f = (Fwd) pass;
        final long mb = f.mb, tLen = f.tLen, n = f.n, n4 = 4 * n, nIn = f.nIn;
        final long cols = tLen * mb;
        final long blk = SCRATCH_BLOCKS * n;
        final boolean seq = layerConf().isReturnSequences();
        final ArrayType ws = ArrayType.BP_WORKING_MEM;
        final boolean carry = layerConf().isCarryStateOnMask();
        final boolean masked = f.maskT != null;

        StateGrad cur = new StateGrad(mgr.create(ws, dataType, new long[]{2 * n, mb}, 'c'), n);
        StateGrad next = new StateGrad(mgr.create(ws, dataType, new long[]{2 * n, mb}, 'c'), n);
        StateGrad fresh = masked ? new StateGrad(mgr.createUninitialized(ws, dataType, new long[]{2 * n, mb}, 'c'), n) : null;
        INDArray epsRows = null;   // dL/d(output) as [T*n, mb] (contiguous per step); full sequence only
        if (seq) {
            epsRows = stepEpsilons(epsIn, f.maskT, tLen, n, mb, mgr).reshape('c', tLen * n, mb);
        } else {
            cur.h.assign(epsIn.transpose());
        }

        // Backward window of one step: c_{t-1} | h_{t-1} | i | f | g | o | tanh(c_t)
        INDArray win = mgr.createUninitialized(ws, dataType, new long[]{blk, mb}, 'c');
        INDArray cPrev = rowBlock(win, 0, n);
        INDArray gates = rowBlock(win, 2 * n, n4);
        INDArray gI = rowBlock(win, 2 * n, n);
        INDArray gF = rowBlock(win, 3 * n, n);
        INDArray gG = rowBlock(win, 4 * n, n);
        INDArray gO = rowBlock(win, 5 * n, n);
        INDArray tc = rowBlock(win, 6 * n, n);
        // activation derivatives and gate gradients (dL/d pre-activation), rows i | f | g | o
        INDArray dAct = mgr.createUninitialized(ws, dataType, new long[]{n4, mb}, 'c');
        INDArray dActG = rowBlock(dAct, 2 * n, n);
        INDArray gb = mgr.createUninitialized(ws, dataType, new long[]{n4, mb}, 'c');
        INDArray gbI = rowBlock(gb, 0, n);
        INDArray gbF = rowBlock(gb, n, n);
        INDArray gbG = rowBlock(gb, 2 * n, n);
        INDArray gbO = rowBlock(gb, 3 * n, n);
        INDArray tmp = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c');
        // gate gradients of all steps, [T·4n, mb] (block t contiguous; regrouped to [4n, T·mb] after the loop)
        INDArray dgSteps = mgr.createUninitialized(ws, dataType, new long[]{tLen * n4, mb}, 'c');

        for (long t = tLen - 1; t >= 0; t--) {
            win.assign(rows(f.steps, t * blk, blk));
            if (seq) {
                pw(cur.h, rows(epsRows, t * n, n), cur.h, ADD);
            }
            StateGrad d = cur;                                   // gradient w.r.t. the freshly computed (c, h)
            if (masked) {
                Nd4j.getExecutioner().exec(new BroadcastMulOp(cur.all, maskRow(f.maskT, t, mb), fresh.all, 1));
                d = fresh;
                if (carry && t > 0) {
                    pw(cur.all, fresh.all, next.all, SUB);       // (1 − m) ⊙ dL/d(c, h)_t goes to (c, h)_{t-1}
                }
            }

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
            rows(dgSteps, t * n4, n4).assign(gb);

            if (t > 0) {
                boolean accumulate = masked && carry;
                if (accumulate) {
                    pw(d.c, gF, tmp, MUL);
                    pw(next.c, tmp, next.c, ADD);
                } else {
                    pw(d.c, gF, next.c, MUL);
                }
                Nd4j.gemm(f.rw, gb, next.h, false, false, 1.0, accumulate ? 1.0 : 0.0);
                StateGrad swap = cur;
                cur = next;
                next = swap;
            }
        }

        INDArray wg = gradientViews.get(FusedRecurrentParamInitializer.WEIGHT_KEY);
        INDArray rwg = gradientViews.get(FusedRecurrentParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray bg = gradientViews.get(FusedRecurrentParamInitializer.BIAS_KEY);

        INDArray dg = mgr.createUninitialized(ws, dataType, new long[]{n4, tLen, mb}, 'c');
        dg.assign(dgSteps.reshape('c', tLen, n4, mb).permute(1, 0, 2));
        dg = dg.reshape('c', n4, cols);

        // dW = X · dGᵀ, db = Σ dG
        Nd4j.gemm(f.x, dg, wg, false, true, 1.0, 0.0);
        bg.assign(dg.sum(1).reshape(1, n4));

        // dRW = Σ_t h_{t-1} · dG_tᵀ over t ≥ 1 (h_{-1} = 0): the states h_0 .. h_{T-2} as one [n, (T-1)·mb] matrix
        if (tLen > 1) {
            INDArray hView = Nd4j.create(f.steps.data(), new long[]{tLen - 1, n, mb}, new long[]{blk * mb, mb, 1},
                    f.steps.offset() + (2 * n + 6 * n) * mb, 'c', dataType);
            INDArray hPrev = mgr.createUninitialized(ws, dataType, new long[]{n, tLen - 1, mb}, 'c');
            hPrev.assign(hView.permute(1, 0, 2));
            Nd4j.gemm(hPrev.reshape('c', n, (tLen - 1) * mb), colBlock(dg, mb, (tLen - 1) * mb), rwg,
                    false, true, 1.0, 0.0);
        } else {
            rwg.assign(0.0);
        }

        // dL/dx = W · dG
        INDArray dx = mgr.createUninitialized(ws, dataType, new long[]{nIn, cols}, 'c');
        Nd4j.gemm(f.w, dg, dx, false, false, 1.0, 0.0);
        return inputGradient(dx, tLen, mb, mgr);
    }
}
