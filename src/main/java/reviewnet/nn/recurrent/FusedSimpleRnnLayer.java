package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedSimpleRnn;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Implementation of {@link FusedSimpleRnn}: Keras {@code SimpleRNN}, forward and backward written by hand in the
 * "(time, example) × features" layout (row {@code t·mb + i}), the transpose of the gated cells' ({@link
 * FusedRecurrentLayer#forward}): without gates, one step is a contiguous [mb, n] row block that gemm writes into.
 * <ul>
 *   <li>the input projection of all steps is one gemm into the state matrix, {@code S = X · W (+ b)}; step t adds
 *       {@code S_{t-1} · RW} in place and applies the activation: 2 native calls per step without a mask;</li>
 *   <li>backward {@code G_t = (eps_t + G_{t+1} · RWᵀ) ⊙ act'_t}, then dW, dRW, db, dL/dx one gemm each;</li>
 *   <li>the per-step gemm is a direct CBLAS call ({@link RecurrentGemm}), a third of {@code Nd4j.gemm}'s cost here;
 *       the per-step views are made once per set of buffers, and the training buffers ({@link Buffers}, outside
 *       the workspaces) are reused across iterations while the shapes stay the same;</li>
 *   <li>with a mask the activations A and the states S differ and both are kept.</li>
 * </ul>
 * dL/dx is returned in the layout DL4J's embedding layers produce and consume ({@link #toRnnFormat}).
 */
public class FusedSimpleRnnLayer extends FusedRecurrentLayer<FusedSimpleRnn> {

    private static final Logger LOG = LoggerFactory.getLogger(FusedSimpleRnnLayer.class);

    /** Training buffers (with their per-step views), reused across iterations while the shapes stay the same. */
    private transient Buffers trainBuffers;

    public FusedSimpleRnnLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** A kept forward pass is reusable only while its buffers are still the layer's training buffers. */
    @Override
    boolean reusable(Pass pass) {
        return super.reusable(pass) && ((Fwd) pass).buf == trainBuffers;
    }

    /** Everything a forward pass leaves for the backward pass. */
    private static final class Fwd extends Pass {
        Buffers buf;         // X, A, S, ... and their per-step views
    }

    /**
     * @param store       keep what backprop needs (in the layer's training buffers)
     * @param forBackprop internal recompute inside backpropGradient: no output
     */
    @Override
    Fwd forward(INDArray[] prev, boolean training, boolean store, boolean forBackprop, LayerWorkspaceMgr mgr) {
        final Dims d = prepare(prev, training, store, mgr);
        final INDArray prevState = prev == null ? null : prev[0];
        final boolean nwc = d.nwc();
        final INDArray in = d.in();
        final long mb = d.mb(), tLen = d.tLen(), nIn = d.nIn(), n = d.n();

        final IActivation act = layerConf().getActivationFn();
        final boolean fast = act.getClass() == ActivationTanH.class;
        final boolean carry = layerConf().isCarryStateOnMask();
        final boolean masked = maskArray != null;

        Fwd f = new Fwd();
        INDArray b = begin(f, d, training, mgr);
        final Buffers buf;
        if (store) {
            if (trainBuffers == null || !trainBuffers.fits(mb, tLen, nIn, n, masked, !fast, dataType)) {
                LOG.debug("{}: training buffers for minibatch {}, {} steps, mask {}, {}", layerId(), mb, tLen, masked,
                        dataType);
                trainBuffers = new Buffers(mb, tLen, nIn, n, masked, !fast, dataType, null);
            }
            buf = trainBuffers;
        } else {
            buf = new Buffers(mb, tLen, nIn, n, masked, false, dataType, mgr);
        }
        f.buf = buf;

        // Input as [T*mb, nIn] (row t*mb+i = example i at step t), then all input projections with ONE gemm,
        // written into A, where each step then adds its recurrent term.
        buf.x.reshape('c', tLen, mb, nIn).assign(nwc ? in.permute(1, 0, 2) : in.permute(2, 0, 1));
        Nd4j.gemm(buf.x, f.w, buf.a.all, false, false, 1.0, 0.0);
        Nd4j.getExecutioner().exec(new BroadcastAddOp(buf.a.all, b.reshape(n), buf.a.all, 1));
        if (masked) {
            buf.maskT.assign(maskArray.castTo(dataType).transpose());
        }

        RecurrentGemm gemm = new RecurrentGemm(f.rw);
        INDArray sPrev = null;                      // S_{t-1}; null = zero state
        Pointer sPrevPtr = null;
        if (prevState != null) {
            sPrev = mgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[]{mb, n}, 'c');
            sPrev.assign(prevState.castTo(dataType));
        }
        for (int t = 0; t < tLen; t++) {
            INDArray at = buf.a.views[t];
            if (sPrev != null) {
                gemm.apply(sPrev, sPrevPtr, at, buf.a.ptr(t), false, 1.0);
            }
            if (buf.pre != null) {
                buf.pre.views[t].assign(at);
            }
            if (fast) {
                Nd4j.getExecutioner().exec(new Tanh(at, at));
            } else {
                applyActivation(act, at, training);
            }
            if (masked) {
                maskStep(at, sPrev, buf.s.views[t], buf.maskRows[t], 0, carry);
            }
            sPrev = buf.s.views[t];
            sPrevPtr = buf.s.ptr(t);
        }
        f.last = new INDArray[]{sPrev};
        if (!forBackprop) {
            f.output = layerConf().isReturnSequences()
                    ? maskCarried(toRnnFormat(buf.s.all, tLen, mb, n, ArrayType.ACTIVATIONS, mgr))
                    : output(null, sPrev, d, mgr);
        }
        return f;
    }

    /**
     * [T*mb, k] (row t*mb+i) as a DL4J time series in a new array of the given workspace type: [mb, T, k] ('c') for NWC,
     * for NCW the [mb, k, T] permuted view of that array (the layout DL4J's embedding layers produce and consume:
     * the copy moves whole rows of k, and no further copy is needed for a reshape to [mb*T, k]).
     */
    private INDArray toRnnFormat(INDArray rowsByTime, long tLen, long mb, long k, ArrayType type, LayerWorkspaceMgr mgr) {
        INDArray out = mgr.createUninitialized(type, dataType, new long[]{mb, tLen, k}, 'c');
        out.assign(rowsByTime.reshape('c', tLen, mb, k).permute(1, 0, 2));
        return isNwc() ? out : out.permute(0, 2, 1);
    }

    /** The per-step [mb, k] row blocks of a [T*mb, k] matrix: views and (FLOAT/DOUBLE) raw pointers, made once. */
    private static final class Steps {
        final INDArray all;
        final INDArray[] views;
        private final Pointer[] ptrs;

        Steps(INDArray all, long tLen, long mb) {
            this.all = all;
            long k = all.size(1);
            views = new INDArray[(int) tLen];
            ptrs = new Pointer[(int) tLen];
            Pointer base = all.data().addressPointer();       // includes the array's offset
            for (int t = 0; t < tLen; t++) {
                views[t] = Nd4j.create(all.data(), new long[]{mb, k}, new long[]{k, 1}, all.offset() + t * mb * k, 'c',
                        all.dataType());
                if (all.dataType() == DataType.FLOAT) {
                    ptrs[t] = new FloatPointer(base).position(t * mb * k);
                } else if (all.dataType() == DataType.DOUBLE) {
                    ptrs[t] = new DoublePointer(base).position(t * mb * k);
                }
            }
        }

        /** Raw pointer of step t, or null for data types without a direct BLAS call. */
        Pointer ptr(int t) {
            return ptrs[t];
        }
    }

    /**
     * The arrays of one pass, [T*mb, k] each, with per-step views made once (making an INDArray view costs about as
     * much as a small op). The training buffers are kept by the layer (outside workspaces) and reused while the
     * shapes stay the same, so a training iteration makes no views at all; inference makes them per pass in the
     * workspace given.
     */
    private static final class Buffers {
        final long mb, tLen, nIn, n;
        final boolean masked, keepPre;
        final DataType dataType;
        final LayerWorkspaceMgr mgr;   // null: detached (training buffers)
        final INDArray x;              // [T*mb, nIn] input
        final Steps a;                 // activations act(x·W + S_{t-1}·RW + b)
        final Steps s;                 // states (the same as a without a mask)
        final Steps pre;               // pre-activations (training with activations other than tanh), or null
        final INDArray maskT;          // [T, mb] or null
        final INDArray[] maskRows;     // [mb] rows of maskT, or null
        // backward, made on first use
        Steps g;                       // dL/d(pre-activation)
        Steps deriv;                   // act' (tanh), or null
        INDArray dx;                   // [T*mb, nIn]
        INDArray ones;                 // [1, T*mb] for the bias gradient

        Buffers(long mb, long tLen, long nIn, long n, boolean masked, boolean keepPre, DataType dataType,
                LayerWorkspaceMgr mgr) {
            this.mb = mb;
            this.tLen = tLen;
            this.nIn = nIn;
            this.n = n;
            this.masked = masked;
            this.keepPre = keepPre;
            this.dataType = dataType;
            this.mgr = mgr;
            long rows = tLen * mb;
            try (MemoryWorkspace ws = mgr == null ? Nd4j.getWorkspaceManager().scopeOutOfWorkspaces() : null) {
                x = create(rows, nIn);
                a = new Steps(create(rows, n), tLen, mb);
                s = masked ? new Steps(create(rows, n), tLen, mb) : a;
                pre = keepPre ? new Steps(create(rows, n), tLen, mb) : null;
                if (masked) {
                    maskT = create(tLen, mb);
                    maskRows = new INDArray[(int) tLen];
                    for (int t = 0; t < tLen; t++) {
                        maskRows[t] = Nd4j.create(maskT.data(), new long[]{mb}, new long[]{1}, maskT.offset() + t * mb,
                                'c', dataType);
                    }
                } else {
                    maskT = null;
                    maskRows = null;
                }
            }
        }

        boolean fits(long mb, long tLen, long nIn, long n, boolean masked, boolean keepPre, DataType dataType) {
            return this.mb == mb && this.tLen == tLen && this.nIn == nIn && this.n == n && this.masked == masked
                    && this.keepPre == keepPre && this.dataType == dataType;
        }

        /** Makes the backward arrays (once per training buffers). */
        void prepareBackward(boolean needDeriv) {
            if (g != null && (deriv != null || !needDeriv)) {
                return;
            }
            long rows = tLen * mb;
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                if (g == null) {
                    g = new Steps(create(rows, n), tLen, mb);
                    dx = create(rows, nIn);
                    ones = create(1, rows).assign(1.0);
                }
                if (needDeriv && deriv == null) {
                    deriv = new Steps(create(rows, n), tLen, mb);
                }
            }
        }

        private INDArray create(long rows, long cols) {
            return mgr == null ? Nd4j.createUninitialized(dataType, new long[]{rows, cols}, 'c')
                    : mgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[]{rows, cols}, 'c');
        }
    }

    /**
     * Row-major {@code C[mb, n] = A[mb, n] · op(RW) + beta·C} for one step. For FLOAT/DOUBLE a direct CBLAS call on raw
     * pointers (the OpenBLAS that ND4J itself uses): about a third of the cost of {@code Nd4j.gemm} at these sizes,
     * whose custom-op machinery dominates a [32, 128]·[128, 128] product. Other data types go through Nd4j.gemm.
     */
    private static final class RecurrentGemm {
        private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
        private final INDArray rw;
        private final Pointer rwPtr;
        private final boolean colMajor;
        private final int n;

        RecurrentGemm(INDArray recurrentWeights) {
            int size = (int) recurrentWeights.size(0);
            boolean f = recurrentWeights.ordering() == 'f' && recurrentWeights.stride(0) == 1 && recurrentWeights.stride(1) == size;
            boolean c = recurrentWeights.ordering() == 'c' && recurrentWeights.stride(0) == size && recurrentWeights.stride(1) == 1;
            rw = f || c ? recurrentWeights : recurrentWeights.dup('f');
            colMajor = rw.ordering() == 'f';
            n = size;
            DataType dt = rw.dataType();
            rwPtr = dt == DataType.FLOAT ? new FloatPointer(rw.data().addressPointer())
                    : dt == DataType.DOUBLE ? new DoublePointer(rw.data().addressPointer()) : null;
        }

        /** @param aPtr, cPtr raw pointers of a and c, or null (then Nd4j.gemm) */
        void apply(INDArray a, Pointer aPtr, INDArray c, Pointer cPtr, boolean transposeRw, double beta) {
            if (aPtr == null || cPtr == null || rwPtr == null) {
                Nd4j.gemm(a, rw, c, false, transposeRw, 1.0, beta);
                return;
            }
            int rows = (int) a.size(0);
            int opRw = colMajor != transposeRw ? TRANS : NO_TRANS;   // RW stored 'f' is RWᵀ in row-major terms
            if (rwPtr instanceof FloatPointer) {
                openblas_nolapack.cblas_sgemm(ROW_MAJOR, NO_TRANS, opRw, rows, n, n, 1f, (FloatPointer) aPtr, n,
                        (FloatPointer) rwPtr, n, (float) beta, (FloatPointer) cPtr, n);
            } else {
                openblas_nolapack.cblas_dgemm(ROW_MAJOR, NO_TRANS, opRw, rows, n, n, 1.0, (DoublePointer) aPtr, n,
                        (DoublePointer) rwPtr, n, beta, (DoublePointer) cPtr, n);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Backward
    // ------------------------------------------------------------------------------------------------------------

    @Override
    INDArray backward(Pass pass, INDArray epsIn, LayerWorkspaceMgr mgr) {
        Fwd f = (Fwd) pass;
        final Buffers buf = f.buf;
        final long mb = buf.mb, tLen = buf.tLen, n = buf.n, nIn = buf.nIn;
        final long rows = tLen * mb;
        final boolean nwc = isNwc();
        final boolean sequences = layerConf().isReturnSequences();
        final ArrayType ws = ArrayType.BP_WORKING_MEM;
        final boolean carry = layerConf().isCarryStateOnMask();
        final boolean masked = buf.masked;
        final IActivation act = layerConf().getActivationFn();
        buf.prepareBackward(buf.pre == null);
        final Steps g = buf.g;

        // G = dL/d(pre-activation) per step, [T*mb, n]; starts as dL/d(output)
        if (sequences) {
            g.all.reshape('c', tLen, mb, n).assign(nwc ? epsIn.permute(1, 0, 2) : epsIn.permute(2, 0, 1));
            if (masked && carry) {
                // carry mode: output = m ⊙ state (in reset mode the state itself is already m ⊙ act)
                Nd4j.getExecutioner().exec(new BroadcastMulOp(g.all, buf.maskT.reshape(rows), g.all, 0));
            }
        } else {
            g.views[(int) tLen - 1].assign(epsIn);
        }

        // act' for all steps at once (tanh: 1 − A²); other activations go through IActivation per step
        INDArray scratch = null;
        if (buf.pre == null) {
            pw(buf.a.all, buf.a.all, buf.deriv.all, MUL);
            Nd4j.getExecutioner().exec(new OneMinus(buf.deriv.all, buf.deriv.all));
        } else {
            scratch = mgr.createUninitialized(ws, dataType, new long[]{mb, n}, 'c');
        }
        INDArray carried = null, dA = null;
        if (masked && carry) {
            carried = mgr.createUninitialized(ws, dataType, new long[]{mb, n}, 'c');   // (1 − m_{t+1}) ⊙ dL/dS_{t+1}
            dA = mgr.createUninitialized(ws, dataType, new long[]{mb, n}, 'c');        // m_t ⊙ dL/dS_t
        }

        RecurrentGemm gemm = new RecurrentGemm(f.rw);
        for (int t = (int) tLen - 1; t >= 0; t--) {
            INDArray gt = g.views[t];
            // gt := dL/dS_t
            if (t < tLen - 1) {
                gemm.apply(g.views[t + 1], g.ptr(t + 1), gt, g.ptr(t), true, sequences ? 1.0 : 0.0);
                if (carried != null) {
                    pw(gt, carried, gt, ADD);
                }
            }
            // dL/dA_t
            INDArray dAt = gt;
            if (masked) {
                INDArray m = buf.maskRows[t];
                if (carry) {        // S_t = S_{t-1} + m ⊙ (A_t − S_{t-1})
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(gt, m, dA, 0));
                    pw(gt, dA, carried, SUB);
                    dAt = dA;
                } else {            // S_t = m ⊙ A_t
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(gt, m, gt, 0));
                }
            }
            // dL/d(pre-activation)
            if (buf.pre == null) {
                pw(dAt, buf.deriv.views[t], gt, MUL);
            } else {
                scratch.assign(buf.pre.views[t]);
                INDArray d = act.backprop(scratch, dAt).getFirst();
                gt.assign(d);
            }
        }

        INDArray wg = gradientViews.get(FusedRecurrentParamInitializer.WEIGHT_KEY);
        INDArray rwg = gradientViews.get(FusedRecurrentParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray bg = gradientViews.get(FusedRecurrentParamInitializer.BIAS_KEY);

        Nd4j.gemm(buf.x, g.all, wg, true, false, 1.0, 0.0);                 // dW = Xᵀ · G
        Nd4j.gemm(buf.ones, g.all, bg, false, false, 1.0, 0.0);            // db = Σ G (cheaper as a gemm than sum(0))
        // dRW = Σ_t S_{t-1}ᵀ · G_t over t ≥ 1 (S_{-1} = 0)
        if (tLen > 1) {
            Nd4j.gemm(rows(buf.s.all, 0, rows - mb), rows(g.all, mb, rows - mb), rwg, true, false, 1.0, 0.0);
        } else {
            rwg.assign(0.0);
        }

        // dL/dx = G · Wᵀ
        Nd4j.gemm(g.all, f.w, buf.dx, false, true, 1.0, 0.0);
        return toRnnFormat(buf.dx, tLen, mb, nIn, ArrayType.ACTIVATION_GRAD, mgr);
    }
}
