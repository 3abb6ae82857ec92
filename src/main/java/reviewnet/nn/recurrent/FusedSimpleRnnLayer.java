package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedSimpleRnn;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.OneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Implementation of {@link FusedSimpleRnn}: Keras {@code SimpleRNN} on the recurrent core of
 * {@link FusedRecurrentLayer}: pre = x·W + b + h_{t-1}·RW, h = act(pre). Step rows: h, whose stored values give
 * tanh' = 1 − h² for all steps at once; with a mask or another activation {@code pre | h}, act' from pre.
 */
public class FusedSimpleRnnLayer extends FusedRecurrentLayer<FusedSimpleRnn> {

    public FusedSimpleRnnLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean tanh() {
        return layerConf().getActivationFn().getClass() == ActivationTanH.class;
    }

    /** Whether the stored steps keep pre (a mask or an activation other than tanh). */
    private boolean keepPre() {
        return maskArray != null || !tanh();
    }

    @Override
    int scratchBlocks(boolean store) {
        return store && keepPre() ? 2 : 1;
    }

    @Override
    CellStep forwardStep(Pass f, INDArray sc, boolean training, boolean store, ArrayType type, LayerWorkspaceMgr mgr) {
        final INDArray h = rowBlock(sc, sc.size(0) - f.n, f.n);
        final INDArray pre = sc.size(0) > f.n ? rowBlock(sc, 0, f.n)
                : mgr.createUninitialized(type, dataType, new long[]{f.n, f.mb}, 'c');
        final boolean tanh = tanh();
        final IActivation act = layerConf().getActivationFn();
        return new CellStep() {
            @Override
            public INDArray input() {
                return pre;
            }

            @Override
            public void forward(boolean first) {
                if (!first) {
                    f.rec.apply(true, h, pre, 1.0);
                }
                if (tanh) {
                    Nd4j.getExecutioner().exec(new Tanh(pre, h));
                } else {
                    h.assign(pre);
                    applyActivation(act, h, training);
                }
            }
        };
    }

    /** Window {@code h_{t-1} [| pre_t]}; gradient dL/d(pre_t). */
    @Override
    CellStep backwardStep(Pass f, INDArray win, LayerWorkspaceMgr mgr) {
        final long n = f.n, mb = f.mb;
        final ArrayType ws = ArrayType.BP_WORKING_MEM;
        final INDArray pre = win.size(0) > n ? rowBlock(win, n, n) : null;
        final INDArray gb = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c');
        final INDArray dAct = mgr.createUninitialized(ws, dataType, new long[]{n, mb}, 'c');   // act' of step t
        final IActivation act = layerConf().getActivationFn();
        final INDArray derivs;    // tanh without a mask: 1 − h² of all steps, [T, n, mb]
        if (pre == null) {
            INDArray hs = storedStates(f, f.tLen);
            derivs = mgr.createUninitialized(ws, dataType, new long[]{f.tLen, n, mb}, 'c');
            pw(hs, hs, derivs, MUL);
            Nd4j.getExecutioner().exec(new OneMinus(derivs, derivs));
        } else {
            derivs = null;
        }
        return new CellStep() {
            @Override
            public INDArray backward(long t, StateGrad d, StateGrad next, boolean hasPrev, boolean accumulate) {
                if (derivs != null) {
                    copy(derivs, t * n * mb, dAct, 0, n * mb);
                    pw(d.h, dAct, gb, MUL);
                } else {
                    dAct.assign(pre);
                    gb.assign(act.backprop(dAct, d.h).getFirst());
                }
                if (hasPrev) {
                    f.rec.apply(false, gb, next.h, accumulate ? 1.0 : 0.0);
                }
                return gb;
            }
        };
    }
}
