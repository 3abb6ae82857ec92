package reviewnet.nn.recurrent;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a recurrent layer's float inference pass takes each step's input projection {@code x_t·W + b} from, as an
 * example-major {@code [mb, rows]} block: computed from the layer input ({@link InputProjection}) or looked up per word
 * in a table with the embedding folded in ({@link FoldedInference}).
 */
interface StepInputs {
    /** Step t's block, writable: the recurrent gemm may add onto it before {@link #read}. */
    INDArray block(int t);

    /** Copies step t's block, as it is now, into {@code g[0, mb·rows)}. */
    void read(int t, float[] g);
}
