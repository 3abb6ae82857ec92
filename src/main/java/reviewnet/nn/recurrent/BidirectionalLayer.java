package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedRecurrent;

import java.util.LinkedHashMap;
import java.util.Map;

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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Reverse;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A bidirectional layer over any of our recurrent cells (Keras {@code Bidirectional(layer)}, merge_mode='concat', final
 * states only; the configuration is e.g. {@code BidirectionalGRU}): two direction layers of the cell's kind (each a
 * {@link FusedRecurrentLayer} returning its last state) on views of this layer's parameters and gradients
 * ({@link BidirectionalParamInitializer}), so both directions run the cell's own forward and backward code.
 * <ul>
 *   <li>forward: the forward direction reads the input, the backward direction a time-reversed copy of it (and of
 *       the mask); the output is {@code [h_fwd | h_bwd]}, {@code [mb, 2·nOut]};</li>
 *   <li>backward: the epsilon's two column halves go to the two directions; dL/dx is the forward direction's plus
 *       the backward direction's reversed back in time.</li>
 * </ul>
 * The reversed input and mask are made in the INPUT workspace (where DL4J's layers put their dropped-out input), which
 * lives as long as the layer input: until the backward pass of the same iteration in training, so the directions'
 * kept forward passes are reused in backprop (see {@link FusedRecurrentLayer}).
 */
public class BidirectionalLayer extends BaseRecurrentLayer<FusedRecurrent> {

    private final BidirectionalParamInitializer layout;
    private final FusedRecurrentLayer<?> fwd;
    private final FusedRecurrentLayer<?> bwd;

    /** The layer input and mask the directions were last given their inputs for (identity). */
    private transient INDArray preparedInput;
    private transient INDArray preparedMask;

    public BidirectionalLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        layout = (BidirectionalParamInitializer) layerConf().initializer();
        fwd = direction(conf, dataType);
        bwd = direction(conf, dataType);
    }

    private FusedRecurrentLayer<?> direction(NeuralNetConfiguration conf, DataType dataType) {
        NeuralNetConfiguration d = layout.directionConfiguration(conf);
        return (FusedRecurrentLayer<?>) ((FusedRecurrent) d.getLayer()).newLayer(d, dataType);
    }

    private UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException(layerConf().kind() + ": the backward direction needs the whole "
                + "sequence; rnnTimeStep, stored state and truncated BPTT are not supported (" + layerId() + ")");
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Parameters and gradients: the directions work on views of this layer's arrays
    // ------------------------------------------------------------------------------------------------------------

    @Override
    public void setParamsViewArray(INDArray params) {
        super.setParamsViewArray(params);
        INDArray[] h = layout.halves(params, layerConf());
        fwd.setParamsViewArray(h[0]);
        bwd.setParamsViewArray(h[1]);
    }

    @Override
    public void setParamTable(Map<String, INDArray> paramTable) {
        super.setParamTable(paramTable);
        fwd.setParamTable(direction(paramTable, BidirectionalParamInitializer.FORWARD_PREFIX));
        bwd.setParamTable(direction(paramTable, BidirectionalParamInitializer.BACKWARD_PREFIX));
    }

    @Override
    public void setParam(String key, INDArray val) {
        if (params.containsKey(key)) {
            params.get(key).assign(val);    // in place: the directions hold the same arrays
        } else {
            throw new IllegalArgumentException(layerConf().kind() + ": unknown parameter '" + key + "'; known: " + params.keySet());
        }
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray gradients) {
        super.setBackpropGradientsViewArray(gradients);
        INDArray[] h = layout.halves(gradients, layerConf());
        fwd.setBackpropGradientsViewArray(h[0]);
        bwd.setBackpropGradientsViewArray(h[1]);
    }

    /** The parameters of one direction under its own keys. */
    private static Map<String, INDArray> direction(Map<String, INDArray> table, String prefix) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                m.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return m;
    }

    @Override
    public void setIndex(int index) {
        super.setIndex(index);
        fwd.setIndex(index);
        bwd.setIndex(index);
    }

    @Override
    public void clear() {
        super.clear();
        fwd.clear();
        bwd.clear();
        preparedInput = null;
        preparedMask = null;
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
        this.maskArray = maskArray;
        this.maskState = currentMaskState;
        return new Pair<>(null, currentMaskState);   // the output is 2D: the mask is used up
    }

    // ------------------------------------------------------------------------------------------------------------
    // Forward
    // ------------------------------------------------------------------------------------------------------------

    private int timeAxis() {
        return getDataFormat() == RNNFormat.NWC ? 1 : 2;
    }

    /** Gives the directions their inputs and masks: the layer's, and their time-reversed copies. */
    private void prepareDirections(LayerWorkspaceMgr mgr) {
        INDArray in = input.castTo(dataType);
        INDArray reversed = mgr.createUninitialized(ArrayType.INPUT, dataType, in.shape(), 'c');
        Nd4j.exec(new Reverse(in, reversed, timeAxis()));
        fwd.setInput(input, mgr);
        bwd.setInput(reversed, mgr);
        INDArray reversedMask = null;
        if (maskArray != null) {
            Preconditions.checkState(maskArray.rank() == 2,
                    "%s: per-time-step mask of shape [minibatch, timeSteps] expected, got %ndShape", layerConf().kind(), maskArray);
            reversedMask = mgr.createUninitialized(ArrayType.INPUT, maskArray.dataType(), maskArray.shape(), 'c');
            Nd4j.exec(new Reverse(maskArray, reversedMask, 1));
        }
        fwd.setMaskArray(maskArray);
        bwd.setMaskArray(reversedMask);
        preparedInput = input;
        preparedMask = maskArray;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        Preconditions.checkState(input.rank() == 3,
                "%s: 3D input expected ([minibatch, size, timeSteps] for NCW or [minibatch, timeSteps, size] for NWC), "
                + "got rank %s", layerConf().kind(), input.rank());
        applyDropOutIfNecessary(training, mgr);
        prepareDirections(mgr);
        INDArray hf = fwd.activate(training, mgr);
        INDArray hb = bwd.activate(training, mgr);
        long mb = hf.size(0);
        long n = layerConf().getNOut();
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[]{mb, 2 * n}, 'c');
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n)).assign(hf);
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(n, 2 * n)).assign(hb);
        return out;
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        throw unsupported();
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        throw unsupported();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Backward
    // ------------------------------------------------------------------------------------------------------------

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength, LayerWorkspaceMgr workspaceMgr) {
        throw unsupported();
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        if (preparedInput != input || preparedMask != maskArray) {
            prepareDirections(mgr);     // no forward pass of this input before: the directions recompute theirs
        }
        long n = layerConf().getNOut();
        INDArray eps = epsilon.castTo(dataType);
        Pair<Gradient, INDArray> f = fwd.backpropGradient(eps.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n)), mgr);
        Pair<Gradient, INDArray> b = bwd.backpropGradient(eps.get(NDArrayIndex.all(), NDArrayIndex.interval(n, 2 * n)), mgr);

        // dL/dx = forward direction's + backward direction's, reversed back in time
        INDArray dx = f.getSecond();
        INDArray dxBwd = b.getSecond();
        INDArray dxBwdReversed = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, dxBwd.shape(), dx.ordering());
        Nd4j.exec(new Reverse(dxBwd, dxBwdReversed, timeAxis()));
        dx.addi(dxBwdReversed);

        weightNoiseParams.clear();
        Gradient g = new DefaultGradient(gradientsFlattened);
        for (String k : layout.paramKeys(layerConf())) {
            g.gradientForVariable().put(k, gradientViews.get(k));
        }
        return new Pair<>(g, backpropDropOutIfPresent(dx));
    }
}
