package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedSimpleRnn;

/**
 * Parameters of {@link FusedSimpleRnn}, laid out in the flattened parameter vector in this order:
 * <ul>
 *   <li>{@code W}  input weights     [nIn, nOut] ('f' order view, Keras {@code kernel})</li>
 *   <li>{@code RW} recurrent weights [nOut, nOut] ('f' order view, Keras {@code recurrent_kernel})</li>
 *   <li>{@code b}  bias              [1, nOut] (Keras {@code bias})</li>
 * </ul>
 * Initialization: W with the layer's weightInit (builder default Xavier uniform, fanIn=nIn, fanOut=nOut); RW with
 * weightInitRecurrent if set, else an orthogonal matrix like Keras (see {@link #orthogonal}); b with biasInit
 * (0 by default).
 */
public class FusedSimpleRnnParamInitializer extends FusedRecurrentParamInitializer {

    private static final FusedSimpleRnnParamInitializer INSTANCE = new FusedSimpleRnnParamInitializer();

    public static FusedSimpleRnnParamInitializer getInstance() {
        return INSTANCE;
    }

    public FusedSimpleRnnParamInitializer() {
        super("FusedSimpleRnn", 1, BIAS_KEY);
    }
}
