package reviewnet.nn.layers;

import reviewnet.nn.recurrent.FusedLstmLayer;
import reviewnet.nn.recurrent.FusedRecurrentParamInitializer;

import java.util.Objects;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Keras {@code LSTM(units)} (no peepholes, tanh / sigmoid only), see {@link FusedRecurrent} and {@link FusedLstmLayer}:
 *
 * <pre>
 *   x_proj = x_t · W + b,  h_proj = h_{t-1} · RW      W [nIn, 4·nOut], RW [nOut, 4·nOut], b [1, 4·nOut]
 *   i = σ(x_i + h_i)   f = σ(x_f + h_f)   g = tanh(x_c + h_c)   o = σ(x_o + h_o)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t),   h_0 = c_0 = 0
 * </pre>
 *
 * Gate blocks in Keras' order i, f, c, o; the forget gate's bias starts at {@link Builder#forgetGateBiasInit} (1,
 * Keras {@code unit_forget_bias=True}).
 */
public class FusedLstm extends FusedRecurrent {

    /** Gate blocks i | f | c | o, one bias. */
    private static final FusedRecurrentParamInitializer PARAMS =
            new FusedRecurrentParamInitializer("FusedLstm", 4, FusedRecurrentParamInitializer.BIAS_KEY);

    private double forgetGateBiasInit = 1.0;

    /** For JSON deserialization only. */
    public FusedLstm() {
    }

    protected FusedLstm(Builder builder) {
        super(builder);
        this.forgetGateBiasInit = builder.forgetGateBiasInit;
        validate();
    }

    @Override
    public String kind() {
        return "FusedLstm";
    }

    @Override
    protected void validate() {
        if (getActivationFn() != null && getActivationFn().getClass() != ActivationTanH.class) {
            throw new IllegalArgumentException("FusedLstm: only the tanh activation is supported, got " + getActivationFn());
        }
        super.validate();
    }

    @Override
    public BaseLayer<?> newLayer(NeuralNetConfiguration conf, DataType networkDataType) {
        return new FusedLstmLayer(conf, networkDataType);
    }

    @Override
    public ParamInitializer initializer() {
        return PARAMS;
    }

    /** Keras' unit_forget_bias: the forget gate's block starts at forgetGateBiasInit (1 by default). */
    @Override
    public void initBiases(Map<String, INDArray> params) {
        long nOut = getNOut();
        params.get(FusedRecurrentParamInitializer.BIAS_KEY)
                .get(NDArrayIndex.point(0), NDArrayIndex.interval(nOut, 2 * nOut)).assign(forgetGateBiasInit);
    }

    /**
     * Inference: the input copy, the input projections (as computed and by step) and the states; training: 7 rows
     * per step instead of the states, then the epsilon, the gate gradients (by step and regrouped), the states' copy
     * and dL/dx.
     */
    @Override
    protected long[] memoryPerStep() {
        long n = getNOut(), nIn = getNIn();
        return new long[]{nIn + 8 * n + n, (nIn + 8 * n + 7 * n) + (n + 8 * n + n + nIn)};
    }

    public double getForgetGateBiasInit() {
        return forgetGateBiasInit;
    }

    public void setForgetGateBiasInit(double forgetGateBiasInit) {
        this.forgetGateBiasInit = forgetGateBiasInit;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FusedLstm) || !super.equals(o)) {
            return false;
        }
        return Double.compare(forgetGateBiasInit, ((FusedLstm) o).forgetGateBiasInit) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), forgetGateBiasInit);
    }

    @Override
    protected String fieldsToString() {
        return ", forgetGateBiasInit=" + forgetGateBiasInit;
    }

    public static class Builder extends FusedRecurrent.Builder<Builder> {
        private double forgetGateBiasInit = 1.0;

        public Builder() {
        }

        /** Builder with nIn and nOut set. */
        public Builder(long nIn, long nOut) {
            super(nIn, nOut);
        }

        /** Initial bias of the forget gate block (default 1, Keras unit_forget_bias=True). */
        public Builder forgetGateBiasInit(double forgetGateBiasInit) {
            this.forgetGateBiasInit = forgetGateBiasInit;
            return this;
        }

        @Override
        public FusedLstm build() {
            return new FusedLstm(this);
        }
    }
}
