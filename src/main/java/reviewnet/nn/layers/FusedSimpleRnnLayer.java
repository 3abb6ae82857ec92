package reviewnet.nn.layers;

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
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.OneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Implementation of {@link FusedSimpleRnn}: Keras {@code SimpleRNN}, forward and backward written by hand.
 *
 * <h3>Layout</h3>
 * Internally everything is "(time, example) × features": 'c' ordered matrices with one row per (t, i) pair, row index
 * {@code t·mb + i}, and one column per feature. (The {@link GRULayer} uses the transpose so that its gate blocks are
 * contiguous; a SimpleRNN has no gates, and this way one step is a block of ROWS, i.e. a contiguous [mb, n] matrix
 * that gemm can write into directly.) Then
 * <ul>
 *   <li>the input projection of all steps is ONE gemm, written straight into the state matrix:
 *       {@code S[T·mb, n] = X[T·mb, nIn] · W (+ b)};</li>
 *   <li>step t adds the recurrent term in place with one gemm, {@code S_t += S_{t-1} · RW}, and applies the
 *       activation in place: 2 native calls and 1 array view per step without a mask;</li>
 *   <li>backward, with {@code G[T·mb, n]} = dL/d(pre-activation): {@code G_t = (eps_t + G_{t+1} · RWᵀ) ⊙ act'_t},
 *       again one gemm and one multiplication per step; {@code act' = 1 − S²} (tanh) for all steps is computed before
 *       the loop;</li>
 *   <li>after the loop dW = Xᵀ·G, dRW = S_{0..T-2}ᵀ·G_{1..T-1}, db = Σ G and dL/dx = G·Wᵀ are one gemm/sum each.</li>
 * </ul>
 * Creating an INDArray view costs about as much as a small op in ND4J 1.0.0-M2, so per-step views are built directly
 * from buffer, shape and offset; element-wise work uses ND4J's legacy ops ({@link GRULayer.LegacyPairwise}, Tanh,
 * OneMinus, broadcast multiply), which are cheaper per call than the equivalent custom ops.
 * <p>
 * With a mask the activations {@code A_t} and the states {@code S_t} differ ({@code S_t = S_{t-1} + m_t ⊙ (A_t −
 * S_{t-1})} when carrying the state, {@code S_t = m_t ⊙ A_t} when resetting it), so both are kept; without one they
 * are the same matrix.
 *
 * <h3>Storage for backprop</h3>
 * A training forward pass ({@code activate(true)}) keeps X, A, S (and, for activations other than tanh, the
 * pre-activations) in the ACTIVATIONS workspace, which DL4J keeps open until the backward pass of the same iteration;
 * backpropGradient reuses them when the layer input and mask are still the same arrays and otherwise recomputes the
 * forward pass into BP_WORKING_MEM.
 */
public class FusedSimpleRnnLayer extends BaseRecurrentLayer<FusedSimpleRnn> {

    public static final String STATE_KEY_PREV_ACTIVATION = "prevAct";
    private static final String TBPTT_MESSAGE =
            "FusedSimpleRnn: truncated BPTT is not supported; use BackpropType.Standard (full BPTT)";
    private static final int ADD = 0, MUL = 3, SUB = 6;

    /** Forward pass of the last activate(training=true), kept for the backward pass of the same iteration. */
    private transient Fwd cachedFwd;

    public FusedSimpleRnnLayer(NeuralNetConfiguration conf, DataType dataType) {
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
            // like LastTimeStep: no time axis left to mask
            return new Pair<>(null, currentMaskState);
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
        Fwd f = forward(null, training, training, false, workspaceMgr);
        if (training) {
            cachedFwd = f;
        }
        return f.output;
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        cachedFwd = null;
        Fwd f = forward(stateMap.get(STATE_KEY_PREV_ACTIVATION), false, false, false, workspaceMgr);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            stateMap.put(STATE_KEY_PREV_ACTIVATION, f.lastState.dup('c'));
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
        Fwd f = forward(tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION), false, false, false, workspaceMgr);
        if (storeLastForTBPTT) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, f.lastState.dup('c'));
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
        INDArray output;     // sequence or last state; null for the internal backprop recompute
        INDArray x;          // [T*mb, nIn]
        INDArray a;          // [T*mb, n] activations act(x·W + S_{t-1}·RW + b)
        INDArray s;          // [T*mb, n] states (the same array as a without a mask)
        INDArray pre;        // [T*mb, n] pre-activations (activations other than tanh, training only), or null
        INDArray maskT;      // [T, mb] or null
        INDArray lastState;  // [mb, n] view of the last state, valid until the workspace closes
        INDArray w, rw;
        long mb, tLen, n, nIn;
    }

    private boolean isNwc() {
        return getDataFormat() == RNNFormat.NWC;
    }

    /**
     * @param store       keep what backprop needs
     * @param forBackprop internal recompute inside backpropGradient: everything goes to BP_WORKING_MEM, no output
     */
    private Fwd forward(INDArray prevState, boolean training, boolean store, boolean forBackprop, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        Preconditions.checkState(input.rank() == 3,
                "FusedSimpleRnn: 3D input expected ([minibatch, size, timeSteps] for NCW or [minibatch, timeSteps, size] for NWC), got rank %s",
                input.rank());
        applyDropOutIfNecessary(training, mgr);

        final boolean nwc = isNwc();
        final INDArray in = input.castTo(dataType);
        final long mb = in.size(0);
        final long tLen = nwc ? in.size(1) : in.size(2);
        final long nIn = nwc ? in.size(2) : in.size(1);
        final long n = layerConf().getNOut();
        Preconditions.checkState(nIn == layerConf().getNIn(),
                "FusedSimpleRnn: input size %s does not match nIn %s (dataFormat %s)", nIn, layerConf().getNIn(), getDataFormat());
        Preconditions.checkState(tLen > 0, "FusedSimpleRnn: input has no time steps");
        Preconditions.checkState(prevState == null || (prevState.size(0) == mb && prevState.size(1) == n),
                "FusedSimpleRnn: stored state has shape %ndShape but minibatch is %s: call rnnClearPreviousState() when the minibatch size changes",
                prevState, mb);
        // backprop assumes a zero initial state (no tBPTT), so a stored state is for inference only
        Preconditions.checkState(!(prevState != null && store), "FusedSimpleRnn: backprop from a stored state (tBPTT) is not supported");

        final ArrayType tmpType = forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.FF_WORKING_MEM;
        final ArrayType keepType = store ? (forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.ACTIVATIONS) : tmpType;
        final long rows = tLen * mb;
        final IActivation act = layerConf().getActivationFn();
        final boolean fast = act.getClass() == ActivationTanH.class;
        final boolean carry = layerConf().isCarryStateOnMask();

        Fwd f = new Fwd();
        f.input = input;
        f.mask = maskArray;
        f.mb = mb;
        f.tLen = tLen;
        f.n = n;
        f.nIn = nIn;
        f.w = getParamWithNoise(FusedSimpleRnnParamInitializer.WEIGHT_KEY, training, mgr);
        f.rw = getParamWithNoise(FusedSimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY, training, mgr);
        INDArray b = getParamWithNoise(FusedSimpleRnnParamInitializer.BIAS_KEY, training, mgr);

        // Input as [T*mb, nIn] (row t*mb+i = example i at step t), then all input projections with ONE gemm,
        // written into A, where each step then adds its recurrent term.
        INDArray x3 = mgr.createUninitialized(keepType, dataType, new long[]{tLen, mb, nIn}, 'c');
        x3.assign(nwc ? in.permute(1, 0, 2) : in.permute(2, 0, 1));
        f.x = x3.reshape('c', rows, nIn);
        f.a = mgr.createUninitialized(keepType, dataType, new long[]{rows, n}, 'c');
        Nd4j.gemm(f.x, f.w, f.a, false, false, 1.0, 0.0);
        Nd4j.getExecutioner().exec(new BroadcastAddOp(f.a, b.reshape(n), f.a, 1));

        f.maskT = null;
        if (maskArray != null) {
            Preconditions.checkState(maskArray.rank() == 2 && maskArray.size(0) == mb && maskArray.size(1) == tLen,
                    "FusedSimpleRnn: per-time-step mask of shape [minibatch, timeSteps] = [%s, %s] expected, got %ndShape",
                    mb, tLen, maskArray);
            f.maskT = mgr.createUninitialized(keepType, dataType, new long[]{tLen, mb}, 'c');
            f.maskT.assign(maskArray.castTo(dataType).transpose());
        }
        final boolean masked = f.maskT != null;
        f.s = masked ? mgr.createUninitialized(keepType, dataType, new long[]{rows, n}, 'c') : f.a;
        f.pre = store && !fast ? mgr.createUninitialized(keepType, dataType, new long[]{rows, n}, 'c') : null;

        INDArray sPrev = null;                      // S_{t-1}; null = zero state
        if (prevState != null) {
            sPrev = mgr.createUninitialized(tmpType, dataType, new long[]{mb, n}, 'c');
            sPrev.assign(prevState.castTo(dataType));
        }
        for (long t = 0; t < tLen; t++) {
            INDArray at = rows(f.a, t * mb, mb);
            if (sPrev != null) {
                Nd4j.gemm(sPrev, f.rw, at, false, false, 1.0, 1.0);
            }
            if (f.pre != null) {
                rows(f.pre, t * mb, mb).assign(at);
            }
            if (fast) {
                Nd4j.getExecutioner().exec(new Tanh(at, at));
            } else {
                applyActivation(act, at, training);
            }
            if (masked) {
                INDArray st = rows(f.s, t * mb, mb);
                INDArray m = maskRow(f.maskT, t, mb);
                if (carry && sPrev != null) {   // S_t = S_{t-1} + m ⊙ (A_t − S_{t-1})
                    pw(at, sPrev, st, SUB);
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(st, m, st, 0));
                    pw(st, sPrev, st, ADD);
                } else {                        // S_t = m ⊙ A_t (reset, or carry from the zero state)
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(at, m, st, 0));
                }
                sPrev = st;
            } else {
                sPrev = at;
            }
        }
        f.lastState = sPrev;

        if (!forBackprop) {
            if (layerConf().isReturnSequences()) {
                INDArray s3 = f.s.reshape('c', tLen, mb, n);
                INDArray view = nwc ? s3.permute(1, 0, 2) : s3.permute(1, 2, 0);
                f.output = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, view.shape(), nwc ? 'c' : 'f');
                f.output.assign(view);
                if (masked && carry) {
                    // the state is carried through masked steps, but the output there is 0
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(f.output, maskArray.castTo(dataType), f.output,
                            0, nwc ? 1 : 2));
                }
            } else {
                // with the state carried through masked steps, the last state is the last unmasked output
                f.output = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[]{mb, n}, 'c');
                f.output.assign(f.lastState);
            }
        }
        return f;
    }

    private static void applyActivation(IActivation a, INDArray in, boolean training) {
        INDArray out = a.getActivation(in, training);
        if (out != in) {
            in.assign(out);
        }
    }

    /** Rows [row0, row0+nRows) of a 'c' ordered matrix: a contiguous view built directly from buffer and offset. */
    private static INDArray rows(INDArray m, long row0, long nRows) {
        long cols = m.size(1);
        return Nd4j.create(m.data(), new long[]{nRows, cols}, new long[]{cols, 1}, m.offset() + row0 * cols, 'c',
                m.dataType());
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

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        Fwd f = cachedFwd;
        cachedFwd = null;
        if (f == null || f.input != input || f.mask != maskArray) {
            f = forward(null, true, true, true, mgr);
        }
        final long mb = f.mb, tLen = f.tLen, n = f.n, nIn = f.nIn;
        final long rows = tLen * mb;
        final boolean nwc = isNwc();
        final boolean sequences = layerConf().isReturnSequences();
        final ArrayType ws = ArrayType.BP_WORKING_MEM;
        final boolean carry = layerConf().isCarryStateOnMask();
        final boolean masked = f.maskT != null;
        final IActivation act = layerConf().getActivationFn();

        // G = dL/d(pre-activation) per step, [T*mb, n]; starts as dL/d(output)
        INDArray g = mgr.createUninitialized(ws, dataType, new long[]{rows, n}, 'c');
        INDArray epsIn = epsilon.castTo(dataType);
        if (sequences) {
            g.reshape('c', tLen, mb, n).assign(nwc ? epsIn.permute(1, 0, 2) : epsIn.permute(2, 0, 1));
            if (masked && carry) {
                // carry mode: output = m ⊙ state (in reset mode the state itself is already m ⊙ act)
                Nd4j.getExecutioner().exec(new BroadcastMulOp(g, f.maskT.reshape(rows), g, 0));
            }
        } else {
            rows(g, (tLen - 1) * mb, mb).assign(epsIn);
        }

        // act' for all steps at once (tanh: 1 − A²); other activations go through IActivation per step
        INDArray deriv = null;
        INDArray scratch = null;
        if (f.pre == null) {
            deriv = mgr.createUninitialized(ws, dataType, new long[]{rows, n}, 'c');
            pw(f.a, f.a, deriv, MUL);
            Nd4j.getExecutioner().exec(new OneMinus(deriv, deriv));
        } else {
            scratch = mgr.createUninitialized(ws, dataType, new long[]{mb, n}, 'c');
        }
        INDArray carried = null, dA = null;
        if (masked && carry) {
            carried = mgr.createUninitialized(ws, dataType, new long[]{mb, n}, 'c');   // (1 − m_{t+1}) ⊙ dL/dS_{t+1}
            dA = mgr.createUninitialized(ws, dataType, new long[]{mb, n}, 'c');        // m_t ⊙ dL/dS_t
        }

        INDArray gNext = null;
        for (long t = tLen - 1; t >= 0; t--) {
            INDArray gt = rows(g, t * mb, mb);
            // gt := dL/dS_t
            if (gNext != null) {
                Nd4j.gemm(gNext, f.rw, gt, false, true, 1.0, sequences ? 1.0 : 0.0);
                if (carried != null) {
                    pw(gt, carried, gt, ADD);
                }
            }
            // dL/dA_t
            INDArray dAt = gt;
            if (masked) {
                INDArray m = maskRow(f.maskT, t, mb);
                if (carry) {        // S_t = S_{t-1} + m ⊙ (A_t − S_{t-1})
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(gt, m, dA, 0));
                    pw(gt, dA, carried, SUB);
                    dAt = dA;
                } else {            // S_t = m ⊙ A_t
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(gt, m, gt, 0));
                }
            }
            // dL/d(pre-activation)
            if (deriv != null) {
                pw(dAt, rows(deriv, t * mb, mb), gt, MUL);
            } else {
                scratch.assign(rows(f.pre, t * mb, mb));
                INDArray d = act.backprop(scratch, dAt).getFirst();
                gt.assign(d);
            }
            gNext = gt;
        }

        INDArray wg = gradientViews.get(FusedSimpleRnnParamInitializer.WEIGHT_KEY);
        INDArray rwg = gradientViews.get(FusedSimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray bg = gradientViews.get(FusedSimpleRnnParamInitializer.BIAS_KEY);

        Nd4j.gemm(f.x, g, wg, true, false, 1.0, 0.0);                 // dW = Xᵀ · G
        bg.assign(g.sum(0).reshape(1, n));
        // dRW = Σ_t S_{t-1}ᵀ · G_t over t ≥ 1 (S_{-1} = 0)
        if (tLen > 1) {
            Nd4j.gemm(rows(f.s, 0, (tLen - 1) * mb), rows(g, mb, (tLen - 1) * mb), rwg, true, false, 1.0, 0.0);
        } else {
            rwg.assign(0.0);
        }

        // dL/dx = G · Wᵀ
        INDArray dx = mgr.createUninitialized(ws, dataType, new long[]{rows, nIn}, 'c');
        Nd4j.gemm(g, f.w, dx, false, true, 1.0, 0.0);
        INDArray dx3 = dx.reshape('c', tLen, mb, nIn);
        INDArray dxView = nwc ? dx3.permute(1, 0, 2) : dx3.permute(1, 2, 0);
        INDArray epsOut = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, dxView.shape(), nwc ? 'c' : 'f');
        epsOut.assign(dxView);

        weightNoiseParams.clear();
        Gradient grad = new DefaultGradient(gradientsFlattened);
        grad.gradientForVariable().put(FusedSimpleRnnParamInitializer.WEIGHT_KEY, wg);
        grad.gradientForVariable().put(FusedSimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY, rwg);
        grad.gradientForVariable().put(FusedSimpleRnnParamInitializer.BIAS_KEY, bg);

        epsOut = backpropDropOutIfPresent(epsOut);
        return new Pair<>(grad, epsOut);
    }

    /** z = x (op) y with a legacy pairwise op (same shapes); much cheaper per call than INDArray.addi &amp; co. */
    private static void pw(INDArray x, INDArray y, INDArray z, int op) {
        Nd4j.getExecutioner().exec(new GRULayer.LegacyPairwise(x, y, z, op));
    }
}
