package reviewnet.nn.layers;

import org.nd4j.linalg.activations.IActivation;

/**
 * A {@link Bidirectional} {@link GRU} as saved before {@code Bidirectional} took any cell: the GRU's own settings are
 * this layer's properties (their JSON names in saved models), kept in its GRU cell. Build new layers with
 * {@code new Bidirectional.Builder().cell(gru)}.
 */
public class BidirectionalGRU extends Bidirectional {

    private GRU gru = new GRU();

    /** For JSON deserialization only. */
    public BidirectionalGRU() {
    }

    @Override
    public FusedRecurrent getCell() {
        return gru;
    }

    @Override
    public BidirectionalGRU clone() {
        BidirectionalGRU c = (BidirectionalGRU) super.clone();
        c.gru = (GRU) gru.clone();
        return c;
    }

    public IActivation getGateActivationFn() {
        return gru.getGateActivationFn();
    }

    public void setGateActivationFn(IActivation gateActivationFn) {
        gru.setGateActivationFn(gateActivationFn);
    }

    public boolean isOrthogonalPerGate() {
        return gru.isOrthogonalPerGate();
    }

    public void setOrthogonalPerGate(boolean orthogonalPerGate) {
        gru.setOrthogonalPerGate(orthogonalPerGate);
    }
}
