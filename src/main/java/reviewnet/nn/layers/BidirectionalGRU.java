package reviewnet.nn.layers;

import java.util.Objects;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;

/**
 * A {@link Bidirectional} {@link GRU} as saved before {@code Bidirectional} took any cell: the GRU's own settings are
 * this class' fields (their JSON names in saved models), from which {@link #getCell()} makes the GRU. Build new
 * layers with {@code new Bidirectional.Builder().cell(gru)}.
 */
public class BidirectionalGRU extends Bidirectional {

    private IActivation gateActivationFn = new ActivationSigmoid();
    private boolean orthogonalPerGate = false;

    /** For JSON deserialization only. */
    public BidirectionalGRU() {
    }

    @Override
    public FusedRecurrent getCell() {
        GRU gru = new GRU();
        gru.setGateActivationFn(gateActivationFn);
        gru.setOrthogonalPerGate(orthogonalPerGate);
        return gru;
    }

    public IActivation getGateActivationFn() {
        return gateActivationFn;
    }

    public void setGateActivationFn(IActivation gateActivationFn) {
        this.gateActivationFn = gateActivationFn;
    }

    public boolean isOrthogonalPerGate() {
        return orthogonalPerGate;
    }

    public void setOrthogonalPerGate(boolean orthogonalPerGate) {
        this.orthogonalPerGate = orthogonalPerGate;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && orthogonalPerGate == ((BidirectionalGRU) o).orthogonalPerGate
                && Objects.equals(gateActivationFn, ((BidirectionalGRU) o).gateActivationFn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), gateActivationFn, orthogonalPerGate);
    }
}
