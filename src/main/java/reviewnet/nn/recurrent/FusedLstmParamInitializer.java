package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedLstm;

import java.util.Map;

import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameters of {@link FusedLstm}, laid out in the flattened parameter vector in this order:
 * <ul>
 *   <li>{@code W}  input weights     [nIn, 4·nOut] ('f' order view), gate blocks i | f | c | o (Keras kernel)</li>
 *   <li>{@code RW} recurrent weights [nOut, 4·nOut] ('f' order view), gate blocks i | f | c | o</li>
 *   <li>{@code b}  bias              [1, 4·nOut] (Keras bias)</li>
 * </ul>
 * 4·(nIn·nOut + nOut·nOut + nOut) parameters, as Keras and DL4J's LSTM without peepholes count them.
 * Initialization: W with the layer's weightInit (builder default Glorot uniform, fanIn=nIn, fanOut=4·nOut);
 * RW with weightInitRecurrent if set, else orthogonal on the whole matrix like Keras ({@link #orthogonal});
 * b with biasInit (0 by default) except the forget block, which gets forgetGateBiasInit (1 by default).
 */
public class FusedLstmParamInitializer extends FusedRecurrentParamInitializer {

    private static final FusedLstmParamInitializer INSTANCE = new FusedLstmParamInitializer();

    public static FusedLstmParamInitializer getInstance() {
        return INSTANCE;
    }

    public FusedLstmParamInitializer() {
        super("FusedLstm", 4, BIAS_KEY);
    }

    @Override
    protected void initBiases(BaseRecurrentLayer layer, Map<String, INDArray> params) {
        long nOut = layer.getNOut();
        params.get(BIAS_KEY).get(NDArrayIndex.point(0), NDArrayIndex.interval(nOut, 2 * nOut))
                .assign(((FusedLstm) layer).getForgetGateBiasInit());
    }
}
