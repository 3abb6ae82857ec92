package reviewnet.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import reviewnet.nn.layers.Bidirectional;
import reviewnet.nn.layers.FusedLstm;
import reviewnet.nn.layers.FusedRecurrent;
import reviewnet.nn.layers.FusedSimpleRnn;
import reviewnet.nn.layers.GRU;

/**
 * The recurrent cells under test. The parameterized recurrent tests run for every constant, so a new cell gets the
 * whole battery (gradient checks, learning, ...) by adding one here.
 */
enum Cell {
    SIMPLE_RNN(1) {
        @Override
        FusedRecurrent.Builder<?> builder(int nIn, int nOut) {
            return new FusedSimpleRnn.Builder(nIn, nOut);
        }

        @Override
        FusedRecurrent.Builder<?> genericActivations(int nIn, int nOut) {
            return builder(nIn, nOut).activation(Activation.SOFTSIGN);
        }

        @Override
        FusedRecurrent.Builder<?> standardAsGeneric(int nIn, int nOut) {
            return builder(nIn, nOut).activation(new ActivationTanH() { });
        }

        @Override
        FusedRecurrent.Builder<?> nonDefault(int nIn, int nOut) {
            return builder(nIn, nOut).activation(Activation.SOFTSIGN);
        }

        @Override
        void assertNonDefault(FusedRecurrent layer) {
            assertInstanceOf(ActivationSoftSign.class, layer.getActivationFn());
        }

        @Override
        double[][][] reference(double[][][] x, Map<String, double[][]> p, double[][] mask, boolean carry) {
            return SimpleRnnReference.forward(x, p.get("W"), p.get("RW"), p.get("b")[0], mask, carry, null);
        }
    },
    LSTM(4) {
        @Override
        FusedRecurrent.Builder<?> builder(int nIn, int nOut) {
            return new FusedLstm.Builder(nIn, nOut);
        }

        @Override
        FusedRecurrent.Builder<?> nonDefault(int nIn, int nOut) {
            return new FusedLstm.Builder(nIn, nOut).forgetGateBiasInit(2.5);
        }

        @Override
        void assertNonDefault(FusedRecurrent layer) {
            assertInstanceOf(ActivationTanH.class, layer.getActivationFn());
            assertEquals(2.5, ((FusedLstm) layer).getForgetGateBiasInit(), 0.0);
        }

        @Override
        boolean changeOwnField(FusedRecurrent layer) {
            ((FusedLstm) layer).setForgetGateBiasInit(1.0);
            return true;
        }

        @Override
        double[][][] reference(double[][][] x, Map<String, double[][]> p, double[][] mask, boolean carry) {
            return LstmReference.forward(x, p.get("W"), p.get("RW"), p.get("b")[0], mask, carry);
        }

        /** Keras' unit_forget_bias: the forget gate's block (i | f | c | o) starts at 1. */
        @Override
        double defaultBias(int gate, double biasInit) {
            return gate == 1 ? 1.0 : biasInit;
        }
    },
    GRU(3) {
        @Override
        FusedRecurrent.Builder<?> builder(int nIn, int nOut) {
            return new GRU.Builder(nIn, nOut);
        }

        /** Softsign, and a subclass of sigmoid (not exactly the class the fast path recognises) for the gates. */
        @Override
        FusedRecurrent.Builder<?> genericActivations(int nIn, int nOut) {
            return new GRU.Builder(nIn, nOut).gateActivationFunction(new ActivationSigmoid() { })
                    .activation(Activation.SOFTSIGN);
        }

        @Override
        FusedRecurrent.Builder<?> standardAsGeneric(int nIn, int nOut) {
            return new GRU.Builder(nIn, nOut).gateActivationFunction(new ActivationSigmoid() { })
                    .activation(new ActivationTanH() { });
        }

        @Override
        FusedRecurrent.Builder<?> nonDefault(int nIn, int nOut) {
            return new GRU.Builder(nIn, nOut).gateActivationFunction(Activation.HARDSIGMOID).orthogonalPerGate(true);
        }

        @Override
        void assertNonDefault(FusedRecurrent layer) {
            assertInstanceOf(ActivationTanH.class, layer.getActivationFn());
            assertInstanceOf(ActivationHardSigmoid.class, ((GRU) layer).getGateActivationFn());
            assertTrue(((GRU) layer).isOrthogonalPerGate());
        }

        @Override
        boolean changeOwnField(FusedRecurrent layer) {
            ((GRU) layer).setOrthogonalPerGate(false);
            return true;
        }

        @Override
        double[][][] reference(double[][][] x, Map<String, double[][]> p, double[][] mask, boolean carry) {
            return GruReference.forward(x, p.get("W"), p.get("RW"), p.get("b")[0], p.get("rb")[0], mask, carry, null);
        }
    };

    /** How many nOut-wide gate blocks the cell's W, RW and biases have. */
    final int gates;

    Cell(int gates) {
        this.gates = gates;
    }

    /** A builder of the cell's layer with the given sizes and otherwise default settings. */
    abstract FusedRecurrent.Builder<?> builder(int nIn, int nOut);

    /**
     * A builder whose activations take the cell's generic ({@code IActivation}-based) path, or null where the cell has
     * only its standard activations.
     */
    FusedRecurrent.Builder<?> genericActivations(int nIn, int nOut) {
        return null;
    }

    /**
     * The cell's standard activations as instances of subclasses, which the fast paths do not recognise: the generic
     * path computing what the reference computes; null where the cell has only its standard activations.
     */
    FusedRecurrent.Builder<?> standardAsGeneric(int nIn, int nOut) {
        return null;
    }

    /** A builder with non-default settings of the cell's own (for the serialization tests). */
    abstract FusedRecurrent.Builder<?> nonDefault(int nIn, int nOut);

    /** Asserts that a layer has the settings of {@link #nonDefault}. */
    abstract void assertNonDefault(FusedRecurrent layer);

    /** Changes one of the cell's own configuration fields; false where the cell has none. */
    boolean changeOwnField(FusedRecurrent layer) {
        return false;
    }

    /**
     * The plain-Java reference forward pass ([mb][T][n] outputs of x [mb][T][nIn]) with the parameters {@code p}
     * (biases as one row), the mask [mb][T] (or null) and the masked-step semantics.
     */
    abstract double[][][] reference(double[][][] x, Map<String, double[][]> p, double[][] mask, boolean carry);

    /** The initial value of gate block {@code gate} of every bias, given the layer's biasInit. */
    double defaultBias(int gate, double biasInit) {
        return biasInit;
    }

    /** A bidirectional layer over the cell, its settings those of {@code cell} (activation included). */
    Bidirectional.Builder bidirectional(int nIn, int nOut, FusedRecurrent.Builder<?> cell) {
        FusedRecurrent c = cell.build();
        return new Bidirectional.Builder(nIn, nOut).cell(c).activation(c.getActivationFn());
    }

    /** A bidirectional layer over the cell with its default settings. */
    Bidirectional.Builder bidirectional(int nIn, int nOut) {
        return bidirectional(nIn, nOut, builder(0, 0));
    }

    /** The bidirectional layer's parameter keys: the cell's, prefixed f (forward direction), then b. */
    String[] bidirectionalKeys() {
        return Stream.of("f", "b").flatMap(d -> Arrays.stream(paramKeys()).map(k -> d + k)).toArray(String[]::new);
    }

    /** The cell's parameter keys, e.g. W, RW, b. */
    String[] paramKeys() {
        FusedRecurrent layer = builder(1, 1).build();
        return layer.initializer().paramKeys(layer).toArray(new String[0]);
    }

    /** Every cell with every one of the given argument lists: the arguments of a parameterized test. */
    static Stream<Arguments> withEach(Object[]... cases) {
        return Arrays.stream(values()).flatMap(cell -> Arrays.stream(cases).map(c -> {
            Object[] args = new Object[c.length + 1];
            args[0] = cell;
            System.arraycopy(c, 0, args, 1, c.length);
            return Arguments.of(args);
        }));
    }
}
