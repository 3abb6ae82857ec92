package reviewnet.nn.recurrent;

import java.nio.FloatBuffer;
import java.util.List;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.common.base.Preconditions;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseTransformSameOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import reviewnet.nn.layers.FusedRecurrent;

import java.util.Map;

/**
 * The recurrent core of our fused layers: DL4J's entry points (a training forward pass is kept for the backward pass
 * of the same iteration while the input and mask are the same arrays; {@code rnnTimeStep} starts from the stored
 * states; truncated BPTT is refused), the checks, the layouts, the float inference ({@link FloatKernels}), the time
 * loop, masking, storage, BPTT and parameter gradients ({@link #forward}, {@link #backward}); a cell
 * ({@link FusedSimpleRnnLayer}, {@link GRULayer}, {@link FusedLstmLayer}) supplies only its arithmetic
 * ({@link CellStep}). Per-step work avoids INDArray views (about 15 µs each in ND4J 1.0.0-M2): steps are moved by
 * {@link #copy} between fixed arrays, the gemms of a step are direct CBLAS calls ({@link #gemm}) and
 * element-wise work uses legacy ops ({@link LegacyPairwise}).
 */
public abstract class FusedRecurrentLayer<L extends FusedRecurrent> extends BaseRecurrentLayer<L> {

    /** DL4J's keys of the stored states: h, and c for an LSTM. */
    public static final String STATE_KEY_PREV_ACTIVATION = "prevAct";
    public static final String STATE_KEY_PREV_MEMCELL = "prevMem";
    private static final String[] STATE_KEYS = {STATE_KEY_PREV_ACTIVATION, STATE_KEY_PREV_MEMCELL};

    /** Forward pass of the last activate(training=true), kept for the backward pass of the same iteration. */
    private transient Pass cachedPass;

    protected FusedRecurrentLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** What a forward pass leaves: the output, the last states, and (training) what the backward pass needs. */
    static class Pass {
        INDArray input;      // identity of the layer input this pass was computed for
        INDArray mask;       // identity of the mask array this pass was computed for
        INDArray output;     // the layer output; null for the internal backprop recompute
        INDArray[] last;     // the last states [mb, n] (h, then c), views valid until the workspace closes
        INDArray w, rw, rb;  // the weights the pass used (with weight noise in training); rb where the cell has one
        Blas rec, in;        // products with rw and w
        long mb, tLen, n, nIn;
        INDArray x;          // [mb·T, nIn] input by example
        INDArray steps;      // [S·n + T·blk, mb]: the zero initial states, then each step's scratch; or null
        INDArray maskT;      // [T, mb] or null
    }

    /** The checked sizes of a forward pass and its input, cast to the layer's data type. */
    record Dims(INDArray in, long mb, long tLen, long nIn, long n, boolean nwc) {
    }

    /**
     * A cell's arithmetic for one pass, on the rows of a 'c' ordered {@code [blocks·n, mb]} step matrix: forward, the
     * scratch {@code cell rows | states} (the S state blocks last: c | h, or h); backward, the window
     * {@code states_{t-1} | cell rows} of the stored step (see {@link #forward}).
     */
    interface CellStep {
        /** The contiguous {@code [gates·n, mb]} array that receives each step's input projection before forward. */
        default INDArray input() {
            throw new UnsupportedOperationException();
        }

        /** Forward step: the cell rows and the new states from the input projection in {@link #input}. */
        default void forward(boolean first) {
            throw new UnsupportedOperationException();
        }

        /**
         * Backward step t: the gate gradients (returned, contiguous {@code [gradBlocks·n, mb]}) from {@code d},
         * dL/d(fresh states), and, with {@code hasPrev}, dL/d(states_{t-1}) into {@code next}, added onto it when
         * {@code accumulate}.
         */
        default INDArray backward(long t, StateGrad d, StateGrad next, boolean hasPrev, boolean accumulate) {
            throw new UnsupportedOperationException();
        }
    }

    /** dL/d(states) of one step, {@code [S·n, mb]}, and its row blocks: h is the last, c (LSTM) the first. */
    static final class StateGrad {
        final INDArray all, h, c;

        StateGrad(INDArray all, long n) {
            this.all = all;
            this.h = rowBlock(all, all.size(0) - n, n);
            this.c = rowBlock(all, 0, n);
        }
    }

    /** How many n-row blocks the forward scratch has, states included. */
    abstract int scratchBlocks(boolean store);

    /** The cell's forward arithmetic on the scratch {@code sc} for one pass. */
    abstract CellStep forwardStep(Pass f, INDArray sc, boolean training, boolean store, ArrayType type,
                                  LayerWorkspaceMgr mgr);

    /** The cell's backward arithmetic on the window {@code win} for one pass. */
    abstract CellStep backwardStep(Pass f, INDArray win, LayerWorkspaceMgr mgr);

    /**
     * One forward pass in the "features × (time, example)" layout: per step the input projection {@code b + W·x_t}
     * into the cell's input, the cell's arithmetic on a {@code [blocks·n, mb]} scratch whose last rows are the states,
     * the mask update of the states and, in training, one copy of the scratch. Stored after the zero initial states,
     * the rows {@code [blk·t, blk·t + blk)} are what backward step t needs: {@code states_{t-1} | cell rows}.
     *
     * @param prev        the stored states [mb, n] to start from, or null for the zero state
     * @param store       keep what backprop needs
     * @param forBackprop internal recompute inside backpropGradient: working memory only, no output
     */
    Pass forward(INDArray[] prev, boolean training, boolean store, boolean forBackprop, LayerWorkspaceMgr mgr) {
        final Dims d = prepare(prev, training, store, mgr);
        final boolean seq = layerConf().isReturnSequences();
        final boolean carry = layerConf().isCarryStateOnMask();
        final long mb = d.mb(), tLen = d.tLen(), n = d.n(), cols = tLen * mb;
        final ArrayType tmpType = forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.FF_WORKING_MEM;
        final ArrayType keepType = forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.ACTIVATIONS;
        Pass f = new Pass();
        INDArray b = begin(f, d, training, mgr);
        if (!store && !forBackprop && floatPath()) {
            return floatInference(d, f.w, b, prev, tmpType, mgr);
        }
        final long g = f.w.size(1);
        f.x = byExample(d, store ? keepType : tmpType, mgr);
        INDArray bTile = mgr.create(tmpType, dataType, new long[]{g, mb}, 'c');
        Nd4j.getExecutioner().exec(new BroadcastAddOp(bTile, b.castTo(dataType).reshape(g), bTile, 0));
        final int xld = (int) (tLen * f.nIn);

        final long blk = scratchBlocks(store) * n, sn = stateCount() * n;
        INDArray sc = mgr.create(tmpType, dataType, new long[]{blk, mb}, 'c');
        INDArray states = rowBlock(sc, blk - sn, sn);
        INDArray h = rowBlock(sc, blk - n, n);
        for (int i = 0; prev != null && i < prev.length; i++) {
            rowBlock(sc, blk - (i + 1) * n, n).assign(prev[i].castTo(dataType).transpose());
        }
        CellStep cell = forwardStep(f, sc, training, store, tmpType, mgr);
        INDArray cellIn = cell.input();
        f.maskT = maskByStep(d, store ? keepType : tmpType, mgr);
        INDArray m = f.maskT == null ? null : mgr.createUninitialized(tmpType, dataType, new long[]{mb}, 'c');
        INDArray before = f.maskT != null && carry
                ? mgr.createUninitialized(tmpType, dataType, new long[]{sn, mb}, 'c') : null;
        INDArray hSeq = null;      // [T, n, mb] (a view of the stored steps in training)
        boolean keepH = false;     // inference: copy h into hSeq
        if (store) {
            f.steps = mgr.createUninitialized(keepType, dataType, new long[]{sn + tLen * blk, mb}, 'c');
            rowBlock(f.steps, 0, sn).assign(0.0);
            hSeq = storedStates(f, tLen);
        } else if (seq && !forBackprop) {
            hSeq = mgr.createUninitialized(tmpType, dataType, new long[]{tLen, n, mb}, 'c');
            keepH = true;
        }
        for (long t = 0; t < tLen; t++) {
            if (before != null) {
                before.assign(states);
            }
            copy(bTile, 0, cellIn, 0, g * mb);                    // b + x_t·W
            f.in.gemm(true, (int) mb, f.x, t * f.nIn, xld, true, cellIn, 0, (int) mb, 1.0);
            cell.forward(t == 0 && prev == null);
            if (m != null) {
                copy(f.maskT, t * mb, m, 0, mb);
                maskStep(states, before, states, m, 1, carry);
            }
            if (store) {
                copy(sc, 0, f.steps, (sn + t * blk) * mb, blk * mb);
            } else if (keepH) {
                copy(h, 0, hSeq, t * n * mb, n * mb);
            }
        }
        f.last = new INDArray[stateCount()];
        for (int i = 0; i < f.last.length; i++) {
            f.last[i] = rowBlock(sc, blk - (i + 1) * n, n).transpose();
        }
        if (!forBackprop) {
            f.output = output(seq ? hSeq.permute(1, 0, 2) : null, f.last[0], d, mgr);
        }
        return f;
    }

    /** The stored states h of the first {@code count} steps as a [count, n, mb] view of the stored steps. */
    INDArray storedStates(Pass f, long count) {
        long n = f.n, sn = stateCount() * n, blk = (f.steps.size(0) - sn) / f.tLen;
        return Nd4j.create(f.steps.data(), new long[]{count, n, f.mb}, new long[]{blk * f.mb, f.mb, 1},
                f.steps.offset() + (sn + blk - n) * f.mb, 'c', dataType);
    }

    /**
     * The backward pass from a stored forward pass: per step (last first) the stored window, the epsilon of the step,
     * the mask (only {@code m ⊙ dL/dstate} reaches the fresh state; with the carried state the rest goes to the
     * previous one), the cell's gate gradients and their products into dW, db, dRW, rb and dL/dx. Fills
     * {@link #gradientViews}, returns dL/dx (before dropout).
     */
    INDArray backward(Pass f, INDArray epsIn, LayerWorkspaceMgr mgr) {
        final long mb = f.mb, tLen = f.tLen, n = f.n, cols = tLen * mb, sn = stateCount() * n;
        final long blk = (f.steps.size(0) - sn) / tLen;
        final boolean seq = layerConf().isReturnSequences();
        final boolean carry = layerConf().isCarryStateOnMask();
        final boolean masked = f.maskT != null;
        final ArrayType ws = ArrayType.BP_WORKING_MEM;

        StateGrad cur = new StateGrad(mgr.create(ws, dataType, new long[]{sn, mb}, 'c'), n);
        StateGrad next = new StateGrad(mgr.create(ws, dataType, new long[]{sn, mb}, 'c'), n);
        StateGrad fresh = masked ? new StateGrad(mgr.createUninitialized(ws, dataType, new long[]{sn, mb}, 'c'), n) : null;
        INDArray eps = null;       // dL/d(output) as [T, n, mb]; full sequence only
        INDArray epsT = null;      // its step t
        if (seq) {
            eps = stepEpsilons(epsIn, f.maskT, tLen, n, mb, mgr);
            epsT = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c');
        } else {
            cur.h.assign(epsIn.transpose());       // the output is the last state h_T
        }
        INDArray win = mgr.createUninitialized(ws, dataType, new long[]{blk, mb}, 'c');
        INDArray m = masked ? mgr.createUninitialized(ws, dataType, new long[]{mb}, 'c') : null;
        CellStep cell = backwardStep(f, win, mgr);
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, new long[]{mb, tLen, f.nIn}, 'c');
        INDArray ones = mgr.createUninitialized(ws, dataType, new long[]{mb, 1}, 'c').assign(1.0);
        Grads wg = new Grads(FusedRecurrentParamInitializer.WEIGHT_KEY);
        Grads bg = new Grads(FusedRecurrentParamInitializer.BIAS_KEY);
        Grads rwg = new Grads(FusedRecurrentParamInitializer.RECURRENT_WEIGHT_KEY);
        Grads rbg = f.rb == null ? null : new Grads(FusedRecurrentParamInitializer.RECURRENT_BIAS_KEY);
        final long[] blocks = inputBlocks(f);
        final int xld = (int) (tLen * f.nIn), nIn = (int) f.nIn, gRec = (int) f.rw.size(1);
        if (tLen == 1) {
            rwg.view.assign(0.0);
        }

        for (long t = tLen - 1; t >= 0; t--) {
            copy(f.steps, t * blk * mb, win, 0, blk * mb);
            if (seq) {
                copy(eps, t * n * mb, epsT, 0, n * mb);
                pw(cur.h, epsT, cur.h, ADD);
            }
            StateGrad dt = cur;                                   // w.r.t. the freshly computed states
            if (masked) {
                copy(f.maskT, t * mb, m, 0, mb);
                Nd4j.getExecutioner().exec(new BroadcastMulOp(cur.all, m, fresh.all, 1));
                dt = fresh;
                if (carry && t > 0) {
                    pw(cur.all, fresh.all, next.all, SUB);       // (1 − m) ⊙ dL/dstates_t goes to states_{t-1}
                }
            }
            INDArray gb = cell.backward(t, dt, next, t > 0, masked && carry);
            double beta = t == tLen - 1 ? 0.0 : 1.0;
            // per input block (gate rows r of gb, columns c of W): dWᵀ += G·X_t, db += G·1, dx_t (+)= Gᵀ·Wᵀ
            for (int k = 0; k < blocks.length; k += 3) {
                int r = (int) blocks[k], c = (int) blocks[k + 1], cnt = (int) blocks[k + 2];
                gemm(false, false, cnt, nIn, (int) mb, gb, r * mb, (int) mb, f.x, t * f.nIn, xld, beta,
                        wg.view, c * (long) nIn, nIn);
                gemm(false, false, cnt, 1, (int) mb, gb, r * mb, (int) mb, ones, 0, 1, beta, bg.view, c, 1);
                gemm(true, false, (int) mb, nIn, cnt, gb, r * mb, (int) mb, f.in.m, c * (long) nIn, nIn,
                        k == 0 ? 0.0 : 1.0, dx, t * f.nIn, xld);
            }
            // dRWᵀ += G_rec · h_{t-1}ᵀ, drb += G_rec·1 (h_{-1} = 0)
            if (t > 0) {
                gemm(false, true, gRec, (int) n, (int) mb, gb, 0, (int) mb, win, (sn - n) * mb, (int) mb,
                        t == tLen - 1 ? 0.0 : 1.0, rwg.view, 0, (int) n);
            }
            if (rbg != null) {
                gemm(false, false, gRec, 1, (int) mb, gb, 0, (int) mb, ones, 0, 1, beta, rbg.view, 0, 1);
            }
            if (t > 0) {
                StateGrad swap = cur;
                cur = next;
                next = swap;
            }
        }
        wg.store();
        bg.store();
        rwg.store();
        if (rbg != null) {
            rbg.store();
        }
        return isNwc() ? dx : dx.permute(0, 2, 1);
    }

    /**
     * The gate gradient blocks that are gradients of the input projection, as (row in the gate gradients, column of
     * W, count) triples: all of them unless the cell says otherwise.
     */
    long[] inputBlocks(Pass f) {
        return new long[]{0, 0, f.w.size(1)};
    }

    /**
     * A parameter's gradient view as the row-major matrix the per-step gemms accumulate into (the transpose of a
     * 'f' ordered [rows, cols] view, or a row vector): the view itself where it is dense, else a scratch copied back
     * by {@link #store}.
     */
    final class Grads {
        final INDArray target, view;

        Grads(String key) {
            target = gradientViews.get(key);
            boolean dense = target.rows() == 1 ? target.stride(1) == 1
                    : target.stride(0) == 1 && target.stride(1) == target.rows();
            view = dense ? target : Nd4j.createUninitialized(dataType, target.shape(), 'f');
        }

        void store() {
            if (view != target) {
                target.assign(view);
            }
        }
    }

    /** How many states the cell carries (1: h; 2: h and c). */
    int stateCount() {
        return 1;
    }

    /** Whether a kept forward pass can serve the backward pass of the current input and mask. */
    boolean reusable(Pass pass) {
        return pass.input == input && pass.mask == maskArray;
    }

    /** The layer's name in messages, e.g. "GRU". */
    String kind() {
        return layerConf().kind();
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
        cachedPass = null;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        cachedPass = null;
        Pass p = forward(null, training, training, false, workspaceMgr);
        if (training) {
            cachedPass = p;
        }
        return p.output;
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        cachedPass = null;
        Pass p = forward(stored(stateMap), false, false, false, workspaceMgr);
        store(stateMap, p);
        return p.output;
    }

    /**
     * Forward pass from the tBPTT state. Only for inference: in DL4J 1.0.0-M2 this is the forward pass of truncated
     * BPTT training (MultiLayerNetwork then calls backpropGradient, not tbpttBackpropGradient), which these layers do
     * not support, so training use fails loudly instead of silently computing gradients from a zero initial state.
     */
    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        if (training) {
            throw tbpttRefused();
        }
        setInput(input, workspaceMgr);
        cachedPass = null;
        Pass p = forward(stored(tBpttStateMap), false, false, false, workspaceMgr);
        if (storeLastForTBPTT) {
            store(tBpttStateMap, p);
        }
        return p.output;
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength, LayerWorkspaceMgr workspaceMgr) {
        throw tbpttRefused();
    }

    private UnsupportedOperationException tbpttRefused() {
        return new UnsupportedOperationException(kind()
                + ": truncated BPTT is not supported; use BackpropType.Standard (full BPTT) (" + layerId() + ")");
    }

    private INDArray[] stored(Map<String, INDArray> map) {
        if (map.get(STATE_KEYS[0]) == null) {
            return null;
        }
        INDArray[] s = new INDArray[stateCount()];
        for (int i = 0; i < s.length; i++) {
            s[i] = map.get(STATE_KEYS[i]);
        }
        return s;
    }

    private static void store(Map<String, INDArray> map, Pass p) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int i = 0; i < p.last.length; i++) {
                map.put(STATE_KEYS[i], p.last[i].dup('c'));
            }
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        Pass p = cachedPass;
        cachedPass = null;
        if (p == null || !reusable(p)) {
            p = forward(null, true, true, true, mgr);
        }
        INDArray epsOut = backward(p, epsilon.castTo(dataType), mgr);
        weightNoiseParams.clear();
        Gradient g = new DefaultGradient(gradientsFlattened);
        for (String k : layerConf().initializer().paramKeys(layerConf())) {
            g.gradientForVariable().put(k, gradientViews.get(k));
        }
        return new Pair<>(g, backpropDropOutIfPresent(epsOut));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Input, output and layouts
    // ------------------------------------------------------------------------------------------------------------

    boolean isNwc() {
        return getDataFormat() == RNNFormat.NWC;
    }

    /**
     * Checks the input (rank 3, nIn), the stored states (the minibatch size) and the mask ([mb, T]), applies the input
     * dropout and casts the input to the layer's data type. A stored state is for inference only: backprop assumes a
     * zero initial state (no tBPTT).
     */
    Dims prepare(INDArray[] prev, boolean training, boolean store, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        String kind = kind();
        Preconditions.checkState(input.rank() == 3, "%s: 3D input expected ([minibatch, size, timeSteps] for NCW or "
                + "[minibatch, timeSteps, size] for NWC), got rank %s", kind, input.rank());
        Preconditions.checkState(dataType == DataType.FLOAT || dataType == DataType.DOUBLE,
                "%s: FLOAT or DOUBLE only (the steps' gemms are CBLAS calls), got %s", kind, dataType);
        applyDropOutIfNecessary(training, mgr);
        boolean nwc = isNwc();
        INDArray in = input.castTo(dataType);
        long mb = in.size(0);
        long tLen = nwc ? in.size(1) : in.size(2);
        long nIn = nwc ? in.size(2) : in.size(1);
        long n = layerConf().getNOut();
        Preconditions.checkState(nIn == layerConf().getNIn(), "%s: input size %s does not match nIn %s (dataFormat %s)",
                kind, nIn, layerConf().getNIn(), getDataFormat());
        Preconditions.checkState(tLen > 0, "%s: input has no time steps", kind);
        if (prev != null) {
            for (INDArray s : prev) {
                Preconditions.checkState(s != null && s.size(0) == mb && s.size(1) == n, "%s: stored state has shape "
                        + "%ndShape but minibatch is %s: call rnnClearPreviousState() when the minibatch size changes",
                        kind, s, mb);
            }
        }
        Preconditions.checkState(!(prev != null && store), "%s: backprop from a stored state (tBPTT) is not supported",
                kind);
        Preconditions.checkState(maskArray == null
                        || (maskArray.rank() == 2 && maskArray.size(0) == mb && maskArray.size(1) == tLen),
                "%s: per-time-step mask of shape [minibatch, timeSteps] = [%s, %s] expected, got %ndShape",
                kind, mb, tLen, maskArray);
        return new Dims(in, mb, tLen, nIn, n, nwc);
    }

    /**
     * Starts a forward pass: the identities of the input and mask it is computed for, its sizes and the weights W and
     * RW; returns the bias b, fetched after them (the order in which weight noise is drawn).
     */
    INDArray begin(Pass p, Dims d, boolean training, LayerWorkspaceMgr mgr) {
        p.input = input;
        p.mask = maskArray;
        p.mb = d.mb();
        p.tLen = d.tLen();
        p.n = d.n();
        p.nIn = d.nIn();
        p.w = getParamWithNoise(FusedRecurrentParamInitializer.WEIGHT_KEY, training, mgr);
        p.rw = getParamWithNoise(FusedRecurrentParamInitializer.RECURRENT_WEIGHT_KEY, training, mgr);
        p.rec = new Blas(p.rw);
        p.in = new Blas(p.w);
        INDArray b = getParamWithNoise(FusedRecurrentParamInitializer.BIAS_KEY, training, mgr);
        if (params.containsKey(FusedRecurrentParamInitializer.RECURRENT_BIAS_KEY)) {
            p.rb = getParamWithNoise(FusedRecurrentParamInitializer.RECURRENT_BIAS_KEY, training, mgr);
        }
        return b;
    }

    /**
     * The input as {@code [mb·T, nIn]} (row {@code i·T + t} = example i at step t): a view where the input has that
     * layout ([mb, T, nIn] 'c', e.g. an embedding's output), else a new array.
     */
    INDArray byExample(Dims d, ArrayType type, LayerWorkspaceMgr mgr) {
        INDArray x3 = d.nwc() ? d.in() : d.in().permute(0, 2, 1);
        if (!Shape.hasDefaultStridesForShape(x3) || x3.ordering() != 'c') {
            x3 = mgr.createUninitialized(type, dataType, x3.shape(), 'c').assign(x3);
        }
        return x3.reshape('c', d.mb() * d.tLen(), d.nIn());
    }

    /** The mask as {@code [T, mb]} in a new array, or null without a mask. */
    INDArray maskByStep(Dims d, ArrayType type, LayerWorkspaceMgr mgr) {
        if (maskArray == null) {
            return null;
        }
        INDArray maskT = mgr.createUninitialized(type, dataType, new long[]{d.tLen(), d.mb()}, 'c');
        return maskT.assign(maskArray.castTo(dataType).transpose());
    }

    /**
     * A {@code [k, T, mb]} array (any strides) as a DL4J time series: a new [mb, T, k] 'c' array, for NCW its
     * [mb, k, T] permuted view (the layout DL4J's and our embedding layers produce and consume in place).
     */
    INDArray timeSeries(INDArray byStep3, ArrayType type, LayerWorkspaceMgr mgr) {
        INDArray out = mgr.createUninitialized(type, dataType, new long[]{byStep3.size(2), byStep3.size(1),
                byStep3.size(0)}, 'c');
        out.assign(byStep3.permute(2, 1, 0));
        return isNwc() ? out : out.permute(0, 2, 1);
    }

    /**
     * The layer output: all steps from the states ({@code [n, T, mb]}, any strides; zero at masked steps when the
     * state is carried through them) or the last state {@code [mb, n]}; with the (required) carried state the last
     * state is each example's last unmasked output, as DL4J's {@code LastTimeStep} picks it.
     */
    INDArray output(INDArray states, INDArray last, Dims d, LayerWorkspaceMgr mgr) {
        if (!layerConf().isReturnSequences()) {
            INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[]{d.mb(), d.n()}, 'c');
            return out.assign(last);
        }
        return maskCarried(timeSeries(states, ArrayType.ACTIVATIONS, mgr));
    }

    /** Zeroes a full-sequence output at the masked steps when the state is carried through them (else as it is). */
    INDArray maskCarried(INDArray out) {
        if (maskArray != null && layerConf().isCarryStateOnMask()) {
            Nd4j.getExecutioner().exec(new BroadcastMulOp(out, maskArray.castTo(dataType), out, 0, isNwc() ? 1 : 2));
        }
        return out;
    }

    /**
     * dL/d(output) as {@code [T, n, mb]} (contiguous per step), times the mask when the state is carried (the output
     * is then {@code m ⊙ state}; when it is reset the state itself is already {@code m ⊙ state_new}).
     */
    INDArray stepEpsilons(INDArray epsilon, INDArray maskT, long tLen, long n, long mb, LayerWorkspaceMgr mgr) {
        INDArray eps = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[]{tLen, n, mb}, 'c');
        eps.assign(isNwc() ? epsilon.permute(1, 2, 0) : epsilon.permute(2, 1, 0));
        if (maskT != null && layerConf().isCarryStateOnMask()) {
            Nd4j.getExecutioner().exec(new BroadcastMulOp(eps, maskT, eps, 0, 2));
        }
        return eps;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Float inference
    // ------------------------------------------------------------------------------------------------------------

    /** One step of a cell's float inference ({@link #floatInference}). */
    interface FloatStep {
        /**
         * Step t: the recurrent term from {@code state} (h_{t-1} as [mb, n]; none when {@code first}) and the input
         * projection of the step, then the cell's kernel on {@code states} (h, then c; example-major) in place.
         */
        void step(int t, boolean first, INDArray state, StepInputs projection, float[][] states);
    }

    /** Whether inference in float runs through {@link #floatInference} (the cell has a float step). */
    boolean floatPath() {
        return false;
    }

    /** The cell's float step for minibatch {@code mb}, with its scratch and the inference parameters. */
    FloatStep floatStep(int mb, ArrayType type, LayerWorkspaceMgr mgr) {
        throw new UnsupportedOperationException(kind() + ": no float inference path");
    }

    /** {@code [W; b]} as one float matrix [nIn + 1, gates·n] for the float input projections. */
    INDArray inputWeightsAndBias(INDArray w, INDArray b, ArrayType type, LayerWorkspaceMgr mgr) {
        return InputProjection.weightsAndBias(w, b, type, mgr);
    }

    /** {@code [W; b]} of the inference parameters, for {@link FoldedInference}. */
    INDArray inputWeightsAndBias(ArrayType type, LayerWorkspaceMgr mgr) {
        return inputWeightsAndBias(getParamWithNoise(FusedRecurrentParamInitializer.WEIGHT_KEY, false, mgr),
                getParamWithNoise(FusedRecurrentParamInitializer.BIAS_KEY, false, mgr), type, mgr);
    }

    /** Whether {@link FoldedInference} can run this layer: the float path, the last step only. */
    boolean foldable() {
        return floatPath() && !layerConf().isReturnSequences();
    }

    /**
     * The last step's output {@code [mb, n]} of a float inference pass over inputs given per step (no mask, no stored
     * state): {@link FoldedInference}'s way in.
     */
    INDArray lastStep(StepInputs inputs, long mb, long tLen, LayerWorkspaceMgr mgr) {
        Preconditions.checkState(foldable() && maskArray == null,
                "%s: folded inference needs the float path, the last step only and no mask", kind());
        return floatInference(null, inputs, mb, tLen, ArrayType.FF_WORKING_MEM, mgr).output;
    }

    /** Float inference over the layer input, the projections with the (inference) parameters {@code w}, {@code b}. */
    Pass floatInference(Dims d, INDArray w, INDArray b, INDArray[] prev, ArrayType type, LayerWorkspaceMgr mgr) {
        StepInputs inputs = new InputProjection(d.in(), d.nwc(), inputWeightsAndBias(w, b, type, mgr), d.mb(),
                d.tLen(), type, mgr);
        return floatInference(prev, inputs, d.mb(), d.tLen(), type, mgr);
    }

    /**
     * Inference in float: the recurrence of the cell's forward loop, example-major ({@code [mb, ·]} blocks, the layout
     * of the output), with the element-wise work of each step on Java arrays ({@link FloatKernels}: SIMD loops, where
     * ND4J 1.0.0-M2's legacy ops call powf/expf per element) and the gemms in ND4J. The input projections (with the
     * bias) come a few steps at a time ({@link InputProjection}) or from a folded table ({@link FoldedInference}); the
     * mask update and the output are the same for every cell.
     */
    Pass floatInference(INDArray[] prev, StepInputs projection, long mbL, long tLenL, ArrayType type,
                        LayerWorkspaceMgr mgr) {
        final int n = Math.toIntExact(layerConf().getNOut());
        final int mb = Math.toIntExact(mbL);
        final int tLen = Math.toIntExact(tLenL);
        final int nm = n * mb;
        final boolean seq = layerConf().isReturnSequences();
        final boolean carry = layerConf().isCarryStateOnMask();
        FloatStep cell = floatStep(mb, type, mgr);
        INDArray state = mgr.create(type, DataType.FLOAT, new long[]{mb, n}, 'c');     // h, for the gemm
        FloatBuffer stateB = FloatKernels.floats(state);
        float[][] s = new float[stateCount()][];
        for (int i = 0; i < s.length; i++) {
            s[i] = prev == null ? new float[nm] : prev[i].castTo(DataType.FLOAT).dup('c').data().asFloat();
        }
        if (prev != null) {
            FloatKernels.put(s[0], 0, stateB, 0, nm);
        }
        float[] mask = maskArray == null ? null : FloatKernels.mask(maskArray, mb, tLen, kind());
        float[][] before = mask == null ? null : new float[s.length][nm];
        INDArray hSeq = seq ? mgr.createUninitialized(type, DataType.FLOAT, new long[]{tLen, mb, n}, 'c') : null;
        FloatBuffer hSeqB = seq ? FloatKernels.floats(hSeq) : null;

        for (int t = 0; t < tLen; t++) {
            for (int i = 0; mask != null && i < s.length; i++) {
                System.arraycopy(s[i], 0, before[i], 0, nm);
            }
            cell.step(t, t == 0 && prev == null, state, projection, s);
            for (int i = 0; mask != null && i < s.length; i++) {
                FloatKernels.maskRows(s[i], before[i], mask, tLen, t, n, mb, carry);
            }
            FloatKernels.put(s[0], 0, stateB, 0, nm);
            if (hSeqB != null) {
                FloatKernels.put(s[0], 0, hSeqB, (long) t * nm, nm);
            }
        }
        Pass p = new Pass();
        p.last = s.length == 1 ? new INDArray[]{state}
                : new INDArray[]{state, Nd4j.create(s[1], new long[]{mb, n}, DataType.FLOAT)};
        p.output = FloatKernels.output(hSeq, state, maskArray, seq, carry, isNwc(), mgr);
        return p;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Tools of the step loops
    // ------------------------------------------------------------------------------------------------------------

    static final int ADD = 0, MUL = 3, SUB = 6;

    /** z = x (op) y with a legacy pairwise op (same shapes); much cheaper per call than INDArray.addi &amp; co. */
    static void pw(INDArray x, INDArray y, INDArray z, int op) {
        Nd4j.getExecutioner().exec(new LegacyPairwise(x, y, z, op));
    }

    /**
     * The mask update of a step's state, {@code m} broadcast along dimension {@code dim} of the state:
     * {@code out = prev + m ⊙ (fresh − prev)} when the state is carried through masked steps (and there is a previous
     * state), else {@code out = m ⊙ fresh}.
     */
    static void maskStep(INDArray fresh, INDArray prev, INDArray out, INDArray m, int dim, boolean carry) {
        if (carry && prev != null) {
            pw(fresh, prev, out, SUB);
            Nd4j.getExecutioner().exec(new BroadcastMulOp(out, m, out, dim));
            pw(out, prev, out, ADD);
        } else {
            Nd4j.getExecutioner().exec(new BroadcastMulOp(fresh, m, out, dim));
        }
    }

    /** {@code in = a(in)} in place, for activation functions other than the fast paths' sigmoid/tanh. */
    static void applyActivation(IActivation a, INDArray in, boolean training) {
        INDArray out = a.getActivation(in, training);
        if (out != in) {
            in.assign(out);
        }
    }

    /** Rows [row0, row0+nRows) of a 'c' ordered matrix (contiguous). Made once per pass. */
    static INDArray rowBlock(INDArray m, long row0, long nRows) {
        return m.get(NDArrayIndex.interval(row0, row0 + nRows), NDArrayIndex.all());
    }

    /** The last arrays {@link #pointers} was asked for on this thread, with their pointers: (array, pointers) pairs. */
    private static final ThreadLocal<Object[]> POINTERS = ThreadLocal.withInitial(() -> new Object[2 * 48 + 1]);

    /**
     * A byte and a typed (FLOAT/DOUBLE) pointer to the data of {@code a}, made once per array (a few dozen arrays per
     * pass are in use; making pointers per call costs allocations and GC): per thread, the latest 48 arrays. The
     * pointers are shared and each call repositions them, so one {@link #copy} or {@link #gemm} must not name the same
     * array twice (both would see the last position): they refuse it.
     */
    static Pointer[] pointers(INDArray a) {
        Object[] cache = POINTERS.get();
        int slots = cache.length - 1;
        for (int i = 0; i < slots; i += 2) {
            if (cache[i] == a) {
                return (Pointer[]) cache[i + 1];
            }
        }
        Pointer base = a.data().addressPointer();
        Pointer[] p = {new BytePointer(base), a.dataType() == DataType.DOUBLE ? new DoublePointer(base)
                : new FloatPointer(base)};
        int next = cache[slots] == null ? 0 : (Integer) cache[slots];
        cache[next] = a;
        cache[next + 1] = p;
        cache[slots] = (next + 2) % slots;
        return p;
    }

    /**
     * Copies {@code count} elements from element {@code srcOff} of {@code src} to element {@code dstOff} of
     * {@code dst} (offsets within each array's contiguous data): a step's rows without making a view.
     */
    static void copy(INDArray src, long srcOff, INDArray dst, long dstOff, long count) {
        Preconditions.checkArgument(src != dst, "copy within one array: its shared pointer has one position");
        long w = src.dataType().width();
        Pointer.memcpy(pointers(dst)[0].position(dstOff * w), pointers(src)[0].position(srcOff * w), count * w);
    }

    /**
     * Row-major {@code C = op(A)·op(B) + beta·C} on the data of a, b, c from element offsets with leading dimensions
     * lda, ldb, ldc: a direct CBLAS call (the OpenBLAS ND4J uses), a third of {@code Nd4j.gemm}'s cost at these
     * sizes, which needs no view per step.
     */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, INDArray a, long aOff, int lda, INDArray b,
                     long bOff, int ldb, double beta, INDArray c, long cOff, int ldc) {
        Preconditions.checkArgument(a != b && a != c && b != c,
                "gemm naming one array twice: its shared pointer has one position");
        int opA = ta ? TRANS : NO_TRANS, opB = tb ? TRANS : NO_TRANS;
        if (c.dataType() == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(ROW_MAJOR, opA, opB, m, n, k, 1f,
                    (FloatPointer) pointers(a)[1].position(aOff), lda, (FloatPointer) pointers(b)[1].position(bOff),
                    ldb, (float) beta, (FloatPointer) pointers(c)[1].position(cOff), ldc);
        } else {
            openblas_nolapack.cblas_dgemm(ROW_MAJOR, opA, opB, m, n, k, 1.0,
                    (DoublePointer) pointers(a)[1].position(aOff), lda, (DoublePointer) pointers(b)[1].position(bOff),
                    ldb, beta, (DoublePointer) pointers(c)[1].position(cOff), ldc);
        }
    }

    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    /**
     * A weight matrix {@code M [rows, g]} (W or RW) as 'f' ordered dense data, i.e. row-major {@code Mᵀ [g, rows]},
     * for {@link #gemm}.
     */
    static final class Blas {
        final INDArray m;
        private final int rows, g;

        Blas(INDArray weights) {
            rows = (int) weights.size(0);
            g = (int) weights.size(1);
            boolean f = weights.stride(0) == 1 && weights.stride(1) == rows;
            m = f ? weights : weights.dup('f');
        }

        /**
         * {@code c[g, cols] = Mᵀ·b + beta·c} with {@code b [rows, cols]} ({@code bT}: b given as {@code [cols, rows]}),
         * or with {@code !transposeM}, {@code c[rows, cols] = M·b + beta·c}, b {@code [g, cols]}; all row-major.
         */
        void gemm(boolean transposeM, int cols, INDArray b, long bOff, int ldb, boolean bT, INDArray c, long cOff,
                  int ldc, double beta) {
            FusedRecurrentLayer.gemm(!transposeM, bT, transposeM ? g : rows, cols, transposeM ? rows : g, m, 0, rows,
                    b, bOff, ldb, beta, c, cOff, ldc);
        }

        /** {@code c = op(M)·b + beta·c} on whole contiguous 'c' ordered {@code [·, mb]} matrices. */
        void apply(boolean transposeM, INDArray b, INDArray c, double beta) {
            gemm(transposeM, (int) b.size(1), b, 0, (int) b.size(1), false, c, 0, (int) c.size(1), beta);
        }
    }

    /**
     * ND4J legacy pairwise transform by op number (libnd4j PAIRWISE_TRANSFORM_OPS in 1.0.0-M2: 0 Add, 3 Multiply,
     * 6 Subtract; ND4J's own Axpy (10) and CopyOp (1) classes use the same table): about 3 µs per call for these sizes
     * versus about 10 µs for the equivalent custom ops. The forward-vs-reference and gradient tests would catch a
     * different numbering immediately.
     */
    public static final class LegacyPairwise extends BaseTransformSameOp {
        private int opNum;

        public LegacyPairwise() {
        }

        public LegacyPairwise(INDArray x, INDArray y, INDArray z, int opNum) {
            super(x, y, z);
            this.opNum = opNum;
        }

        @Override
        public int opNum() {
            return opNum;
        }

        @Override
        public String opName() {
            return "gru_legacy_pairwise_" + opNum;
        }

        @Override
        public String onnxName() {
            throw new UnsupportedOperationException("not an ONNX op");
        }

        @Override
        public String tensorflowName() {
            throw new UnsupportedOperationException("not a TF op");
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> f1) {
            throw new UnsupportedOperationException("not differentiable in SameDiff");
        }
    }
}
