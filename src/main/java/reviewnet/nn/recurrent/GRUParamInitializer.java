package reviewnet.nn.recurrent;

import reviewnet.nn.layers.GRU;

import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;

/**
 * Parameters of {@link GRU}, laid out in the flattened parameter vector in this order:
 * <ul>
 *   <li>{@code W}  input weights     [nIn, 3·nOut] ('f' order view), gate blocks z | r | h</li>
 *   <li>{@code RW} recurrent weights [nOut, 3·nOut] ('f' order view), gate blocks z | r | h</li>
 *   <li>{@code b}  input bias        [1, 3·nOut]  (Keras {@code bias[0]})</li>
 *   <li>{@code rb} recurrent bias    [1, 3·nOut]  (Keras {@code bias[1]}, reset_after=True)</li>
 * </ul>
 * Initialization: W with the layer's weightInit (builder default Xavier uniform, fanIn=nIn, fanOut=3·nOut);
 * RW with weightInitRecurrent if set, else orthogonal like Keras (see {@link #orthogonal}; per gate block with
 * {@link GRU.Builder#orthogonalPerGate}); biases with biasInit (0 by default).
 */
public class GRUParamInitializer extends FusedRecurrentParamInitializer {

    public static final String RECURRENT_BIAS_KEY = "rb";

    private static final GRUParamInitializer INSTANCE = new GRUParamInitializer();

    public static GRUParamInitializer getInstance() {
        return INSTANCE;
    }

    public GRUParamInitializer() {
        super("GRU", 3, BIAS_KEY, RECURRENT_BIAS_KEY);
    }

    @Override
    protected boolean orthogonalPerGate(BaseRecurrentLayer layer) {
        return ((GRU) layer).isOrthogonalPerGate();
    }
}
