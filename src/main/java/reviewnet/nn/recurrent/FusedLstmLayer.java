package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedLstm;

import java.nio.FloatBuffer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.base.Preconditions;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
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
public class FusedLstmLayer extends BaseRecurrentLayer<FusedLstm> {

    public static final String STATE_KEY_PREV_ACTIVATION = "prevAct";
    public static final String STATE_KEY_PREV_MEMCELL = "prevMem";
    private static final String TBPTT_MESSAGE =
            "FusedLstm: truncated BPTT is not supported; use BackpropType.Standard (full BPTT)";

    /** Forward pass of the last activate(training=true), kept for the backward pass of the same iteration. */
    private transient Fwd cachedFwd;

    public FusedLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
        this.maskArray = maskArray;
        this.maskState = currentMaskState;
        if (!layerConf().isReturnSequences()) {
            return new Pair<>(null, currentMaskState);   // the last step is a 2D activation: the mask is used up
        }
        return new Pair<>(maskArray, MaskState.Passthrough);
    }

    @Override
    public void clear() {
        super.clear();
        cachedFwd = null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Public forward entry points
    // ------------------------------------------------------------------------------------------------------------

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        cachedFwd = null;
        Fwd f = forward(null, null, training, training, false, workspaceMgr);
        if (training) {
            cachedFwd = f;
        }
        return f.output;
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        cachedFwd = null;
        Fwd f = forward(stateMap.get(STATE_KEY_PREV_ACTIVATION), stateMap.get(STATE_KEY_PREV_MEMCELL), false, false,
                false, workspaceMgr);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            stateMap.put(STATE_KEY_PREV_ACTIVATION, f.lastH.transpose().dup('c'));
            stateMap.put(STATE_KEY_PREV_MEMCELL, f.lastC.transpose().dup('c'));
        }
        return f.output;
    }

    /**
     * Forward pass from the tBPTT state. Only for inference: in DL4J 1.0.0-M2 this is the forward pass of truncated
     * BPTT training, which this layer does not support (see {@link GRULayer#rnnActivateUsingStoredState}).
     */
    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        if (training) {
            throw new UnsupportedOperationException(TBPTT_MESSAGE + " (" + layerId() + ")");
        }
        setInput(input, workspaceMgr);
        cachedFwd = null;
        Fwd f = forward(tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION), tBpttStateMap.get(STATE_KEY_PREV_MEMCELL),
                false, false, false, workspaceMgr);
        if (storeLastForTBPTT) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, f.lastH.transpose().dup('c'));
                tBpttStateMap.put(STATE_KEY_PREV_MEMCELL, f.lastC.transpose().dup('c'));
            }
        }
        return f.output;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Forward
    // ------------------------------------------------------------------------------------------------------------

    /** Everything a forward pass leaves for the backward pass. */
    private static final class Fwd {
        INDArray input;      // identity of the layer input this pass was computed for
        INDArray mask;       // identity of the mask array this pass was computed for
        INDArray output;     // [mb, n, T] (NCW) / [mb, T, n] (NWC) / [mb, n] (last step); null for the backprop recompute
        INDArray x;          // [nIn, T*mb]
        INDArray steps;      // [2n + T*7n, mb]: c_{-1} | h_{-1}, then per step i | f | g | o | tanh(c) | c | h; or null
        INDArray lastH;      // [n, mb] scratch views, valid until the workspace closes
        INDArray lastC;
        INDArray maskT;      // [T, mb] or null
        INDArray w, rw;
        long mb, tLen, n, nIn;
    }

    /** Rows of the step scratch: i | f | g | o | tanh(c) | c | h. */
    private static final int SCRATCH_BLOCKS = 7;

    private boolean isNwc() {
        return getDataFormat() == RNNFormat.NWC;
    }

    /**
     * @param store       keep what backprop needs (the per-step scratch blocks)
     * @param forBackprop internal recompute inside backpropGradient: everything goes to BP_WORKING_MEM, no output
     */
    private Fwd forward(INDArray prevH, INDArray prevC, boolean training, boolean store, boolean forBackprop,
                        LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        Preconditions.checkState(input.rank() == 3,
                "FusedLstm: 3D input expected ([minibatch, size, timeSteps] for NCW or [minibatch, timeSteps, size] for NWC), got rank %s",
                input.rank());
        applyDropOutIfNecessary(training, mgr);

        final boolean nwc = isNwc();
        final boolean seq = layerConf().isReturnSequences();
        final INDArray in = input.castTo(dataType);
        final long mb = in.size(0);
        final long tLen = nwc ? in.size(1) : in.size(2);
        final long nIn = nwc ? in.size(2) : in.size(1);
        final long n = layerConf().getNOut();
        Preconditions.checkState(nIn == layerConf().getNIn(), "FusedLstm: input size %s does not match nIn %s (dataFormat %s)",
                nIn, layerConf().getNIn(), getDataFormat());
        final boolean hasPrev = prevH != null;
        Preconditions.checkState(!hasPrev || (prevH.size(0) == mb && prevH.size(1) == n && prevC != null),
                "FusedLstm: stored state has shape %ndShape but minibatch is %s: call rnnClearPreviousState() when the minibatch size changes",
                prevH, mb);
        // backprop assumes a zero initial state (no tBPTT), so a stored state is for inference only
        Preconditions.checkState(!(hasPrev && store), "FusedLstm: backprop from a stored state (tBPTT) is not supported");

        final ArrayType tmpType = forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.FF_WORKING_MEM;
        final ArrayType keepType = forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.ACTIVATIONS;
        final long cols = tLen * mb;
        final long n4 = 4 * n;
        final long blk = SCRATCH_BLOCKS * n;

        Fwd f = new Fwd();
        f.input = input;
        f.mask = maskArray;
        f.mb = mb;
        f.tLen = tLen;
        f.n = n;
        f.nIn = nIn;
        f.w = getParamWithNoise(FusedLstmParamInitializer.WEIGHT_KEY, training, mgr);
        f.rw = getParamWithNoise(FusedLstmParamInitializer.RECURRENT_WEIGHT_KEY, training, mgr);
        INDArray b = getParamWithNoise(FusedLstmParamInitializer.BIAS_KEY, training, mgr);

        final boolean carry = layerConf().isCarryStateOnMask();
        if (!store && !forBackprop && dataType == DataType.FLOAT) {
            StepInputs inputs = new InputProjection(in, nwc, inputWeightsAndBias(f.w, b, tmpType, mgr), mb, tLen,
                    tmpType, mgr);
            return floatInference(f, inputs, prevH, prevC, seq, carry, nwc, tmpType, mgr);
        }
        // Input as [nIn, T*mb] (column t*mb+i = example i at step t), then all input projections with ONE gemm.
        INDArray x3 = mgr.createUninitialized(store ? keepType : tmpType, dataType, new long[]{nIn, tLen, mb}, 'c');
        x3.assign(nwc ? in.permute(2, 1, 0) : in.permute(1, 2, 0));
        f.x = x3.reshape('c', nIn, cols);
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

        f.maskT = null;
        INDArray chPrev = null;
        if (maskArray != null) {
            Preconditions.checkState(maskArray.rank() == 2 && maskArray.size(0) == mb && maskArray.size(1) == tLen,
                    "FusedLstm: per-time-step mask of shape [minibatch, timeSteps] = [%s, %s] expected, got %ndShape", mb, tLen, maskArray);
            f.maskT = mgr.createUninitialized(store ? keepType : tmpType, dataType, new long[]{tLen, mb}, 'c');
            f.maskT.assign(maskArray.castTo(dataType).transpose());
            if (carry) {
                chPrev = mgr.createUninitialized(tmpType, dataType, new long[]{2 * n, mb}, 'c');
            }
        }

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
                INDArray m = maskRow(f.maskT, t, mb);
                if (carry) {        // (c, h)_t = (c, h)_{t-1} + m ⊙ ((c, h)_new − (c, h)_{t-1})
                    pw(ch, chPrev, ch, SUB);
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(ch, m, ch, 1));
                    pw(ch, chPrev, ch, ADD);
                } else {            // (c, h)_t = m ⊙ (c, h)_new
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(ch, m, ch, 1));
                }
            }
            if (store) {
                rows(f.steps, 2 * n + t * blk, blk).assign(sc);
            } else if (hSeqRows != null) {
                rows(hSeqRows, t * n, n).assign(h);
            }
        }
        f.lastH = h;
        f.lastC = c;
        if (!forBackprop) {
            output(f, hSeq, seq, carry, nwc, mgr);
        }
        return f;
    }

    /** The layer output from the states: all steps ({@code hSeq [T, n, mb]}) or the last one ({@code f.lastH}). */
    private void output(Fwd f, INDArray hSeq, boolean seq, boolean carry, boolean nwc, LayerWorkspaceMgr mgr) {
        if (seq) {
            INDArray view = nwc ? hSeq.permute(2, 0, 1) : hSeq.permute(2, 1, 0);
            f.output = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, view.shape(), 'f');
            f.output.assign(view);
            if (maskArray != null && carry) {
                // the state is carried through masked steps, but the output there is 0
                Nd4j.getExecutioner().exec(new BroadcastMulOp(f.output, maskArray.castTo(dataType), f.output, 0, nwc ? 1 : 2));
            }
        } else {
            f.output = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[]{f.mb, f.n}, 'c');
            f.output.assign(f.lastH.transpose());
        }
    }

    /** {@code [W; b]} of the inference parameters, for {@link FoldedInference}. */
    INDArray inputWeightsAndBias(ArrayType type, LayerWorkspaceMgr mgr) {
        return inputWeightsAndBias(getParamWithNoise(FusedLstmParamInitializer.WEIGHT_KEY, false, mgr),
                getParamWithNoise(FusedLstmParamInitializer.BIAS_KEY, false, mgr), type, mgr);
    }

    /**
     * {@code [W; b]} as one float matrix [nIn + 1, 4n] for the input projections of {@link #floatInference}, the
     * candidate gate's columns doubled.
     */
    private INDArray inputWeightsAndBias(INDArray w, INDArray b, ArrayType type, LayerWorkspaceMgr mgr) {
        long n = layerConf().getNOut();
        INDArray wb = InputProjection.weightsAndBias(w, b, type, mgr);
        wb.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * n, 3 * n)).muli(2.0);
        return wb;
    }

    /**
     * The last step's output {@code [mb, n]} of a float inference pass over inputs given per step (no mask, no stored
     * state): {@link FoldedInference}'s way in.
     */
    INDArray lastStep(StepInputs inputs, long mb, long tLen, LayerWorkspaceMgr mgr) {
        Preconditions.checkState(foldable() && maskArray == null,
                "FusedLstm: folded inference needs float, the last step only and no mask");
        Fwd f = new Fwd();
        f.mb = mb;
        f.tLen = tLen;
        f.n = layerConf().getNOut();
        f.nIn = layerConf().getNIn();
        f.w = getParamWithNoise(FusedLstmParamInitializer.WEIGHT_KEY, false, mgr);
        f.rw = getParamWithNoise(FusedLstmParamInitializer.RECURRENT_WEIGHT_KEY, false, mgr);
        return floatInference(f, inputs, null, null, false, true, false, ArrayType.FF_WORKING_MEM, mgr).output;
    }

    /** Whether {@link FoldedInference} can run this layer. */
    boolean foldable() {
        return dataType == DataType.FLOAT && !layerConf().isReturnSequences();
    }

    /**
     * Inference in float: the recurrence of {@link #forward}'s loop, example-major ({@code [mb, ·]} blocks, the
     * layout of the output), with the element-wise work of each step on Java arrays ({@link FloatKernels}: SIMD
     * loops, where ND4J 1.0.0-M2's legacy ops call powf/expf per element) and the gemms in ND4J. The input projections
     * (with the bias) come a few steps at a time ({@link InputProjection}), and the recurrent gemm adds onto step t's
     * block in place. The candidate gate's columns of the weights are doubled, so that one logistic pass covers all four gates
     * ({@code tanh x = 2σ(2x) − 1}).
     */
    private Fwd floatInference(Fwd f, StepInputs projection, INDArray prevH, INDArray prevC, boolean seq,
                               boolean carry, boolean nwc, ArrayType tmpType, LayerWorkspaceMgr mgr) {
        final int n = Math.toIntExact(f.n);
        final int mb = Math.toIntExact(f.mb);
        final int tLen = Math.toIntExact(f.tLen);
        final int nm = n * mb;
        INDArray rw = mgr.dup(tmpType, f.rw.castTo(DataType.FLOAT), 'c');
        rw.get(NDArrayIndex.all(), NDArrayIndex.interval(2L * n, 3L * n)).muli(2.0);
        INDArray state = mgr.create(tmpType, DataType.FLOAT, new long[]{mb, n}, 'c');     // h, for the gemm
        FloatBuffer stateB = FloatKernels.floats(state);
        float[] g = new float[4 * nm];
        float[] c = new float[nm];
        float[] h = new float[nm];
        float[] th = new float[nm];
        final boolean hasPrev = prevH != null;
        if (hasPrev) {
            c = prevC.castTo(DataType.FLOAT).dup('c').data().asFloat();
            h = prevH.castTo(DataType.FLOAT).dup('c').data().asFloat();
            FloatKernels.put(h, 0, stateB, 0, nm);
        }
        float[] mask = null;
        float[] cPrev = null;
        float[] hPrev = null;
        if (maskArray != null) {
            mask = FloatKernels.mask(maskArray, mb, tLen, "FusedLstm");
            cPrev = new float[nm];
            hPrev = new float[nm];
        }
        INDArray hSeq = seq ? mgr.createUninitialized(tmpType, DataType.FLOAT, new long[]{tLen, mb, n}, 'c') : null;
        FloatBuffer hSeqB = seq ? FloatKernels.floats(hSeq) : null;

        for (int t = 0; t < tLen; t++) {
            if (t > 0 || hasPrev) {
                Nd4j.gemm(state, rw, projection.block(t), false, false, 1.0, 1.0);
            }
            projection.read(t, g);
            if (mask != null) {
                System.arraycopy(c, 0, cPrev, 0, nm);
                System.arraycopy(h, 0, hPrev, 0, nm);
            }
            FloatKernels.lstmStep(g, c, h, th, n, mb);
            if (mask != null) {
                FloatKernels.maskRows(c, cPrev, mask, tLen, t, n, mb, carry);
                FloatKernels.maskRows(h, hPrev, mask, tLen, t, n, mb, carry);
            }
            FloatKernels.put(h, 0, stateB, 0, nm);
            if (hSeqB != null) {
                FloatKernels.put(h, 0, hSeqB, (long) t * nm, nm);
            }
        }
        f.lastH = state.transpose();                                                   // [n, mb], as forward's
        f.lastC = Nd4j.create(c, new long[]{mb, n}, DataType.FLOAT).transpose();
        f.output = FloatKernels.output(hSeq, state, maskArray, seq, carry, nwc, mgr);
        return f;
    }

    /** Rows [row0, row0+nRows) of a 'c' ordered matrix (contiguous). Made once per pass. */
    private static INDArray rowBlock(INDArray m, long row0, long nRows) {
        return m.get(NDArrayIndex.interval(row0, row0 + nRows), NDArrayIndex.all());
    }

    /**
     * Rows [row0, row0+nRows) of a 'c' ordered matrix with default strides, built directly from buffer, shape and
     * strides: the per-step variant of {@link #rowBlock}, several times cheaper than NDArrayIndex-based get().
     */
    private static INDArray rows(INDArray m, long row0, long nRows) {
        long nCols = m.size(1);
        return Nd4j.create(m.data(), new long[]{nRows, nCols}, new long[]{nCols, 1}, m.offset() + row0 * nCols, 'c',
                m.dataType());
    }

    /** Columns [col0, col0+nCols) of a 2D 'c' view with unit column stride (any row stride): a strided view. */
    private static INDArray colBlock(INDArray m, long col0, long nCols) {
        return Nd4j.create(m.data(), new long[]{m.size(0), nCols}, new long[]{m.stride(0), 1},
                m.offset() + col0, 'c', m.dataType());
    }

    /** Row t of maskT [T, mb] as a rank-1 [mb] view. */
    private static INDArray maskRow(INDArray maskT, long t, long mb) {
        return Nd4j.create(maskT.data(), new long[]{mb}, new long[]{1}, maskT.offset() + t * mb, 'c', maskT.dataType());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Backward
    // ------------------------------------------------------------------------------------------------------------

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException(TBPTT_MESSAGE + " (" + layerId() + ")");
    }

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
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        Fwd f = cachedFwd;
        cachedFwd = null;
        if (f == null || f.input != input || f.mask != maskArray) {
            f = forward(null, null, true, true, true, mgr);
        }
        final long mb = f.mb, tLen = f.tLen, n = f.n, n4 = 4 * n, nIn = f.nIn;
        final long cols = tLen * mb;
        final long blk = SCRATCH_BLOCKS * n;
        final boolean nwc = isNwc();
        final boolean seq = layerConf().isReturnSequences();
        final ArrayType ws = ArrayType.BP_WORKING_MEM;
        final boolean carry = layerConf().isCarryStateOnMask();
        final boolean masked = f.maskT != null;

        StateGrad cur = new StateGrad(mgr.create(ws, dataType, new long[]{2 * n, mb}, 'c'), n);
        StateGrad next = new StateGrad(mgr.create(ws, dataType, new long[]{2 * n, mb}, 'c'), n);
        StateGrad fresh = masked ? new StateGrad(mgr.createUninitialized(ws, dataType, new long[]{2 * n, mb}, 'c'), n) : null;
        INDArray epsIn = epsilon.castTo(dataType);
        INDArray epsRows = null;   // dL/d(output) as [T*n, mb] (contiguous per step); full sequence only
        if (seq) {
            INDArray eps = mgr.createUninitialized(ws, dataType, new long[]{tLen, n, mb}, 'c');
            eps.assign(nwc ? epsIn.permute(1, 2, 0) : epsIn.permute(2, 1, 0));
            if (masked && carry) {
                // carry mode: output = m ⊙ state (in reset mode the state itself is already m ⊙ state_new)
                Nd4j.getExecutioner().exec(new BroadcastMulOp(eps, f.maskT, eps, 0, 2));
            }
            epsRows = eps.reshape('c', tLen * n, mb);
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

        INDArray wg = gradientViews.get(FusedLstmParamInitializer.WEIGHT_KEY);
        INDArray rwg = gradientViews.get(FusedLstmParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray bg = gradientViews.get(FusedLstmParamInitializer.BIAS_KEY);

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
        INDArray dx3 = dx.reshape('c', nIn, tLen, mb);
        INDArray dxView = nwc ? dx3.permute(2, 1, 0) : dx3.permute(2, 0, 1);
        INDArray epsOut = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, dxView.shape(), 'f');
        epsOut.assign(dxView);

        weightNoiseParams.clear();
        Gradient g = new DefaultGradient(gradientsFlattened);
        g.gradientForVariable().put(FusedLstmParamInitializer.WEIGHT_KEY, wg);
        g.gradientForVariable().put(FusedLstmParamInitializer.RECURRENT_WEIGHT_KEY, rwg);
        g.gradientForVariable().put(FusedLstmParamInitializer.BIAS_KEY, bg);

        epsOut = backpropDropOutIfPresent(epsOut);
        return new Pair<>(g, epsOut);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Element-wise ops
    // ------------------------------------------------------------------------------------------------------------

    private static final int ADD = 0, MUL = 3, SUB = 6;

    /** z = x (op) y with {@link GRULayer.LegacyPairwise} (same shapes). */
    private static void pw(INDArray x, INDArray y, INDArray z, int op) {
        Nd4j.getExecutioner().exec(new GRULayer.LegacyPairwise(x, y, z, op));
    }
}
