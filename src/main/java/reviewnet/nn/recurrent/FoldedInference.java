package reviewnet.nn.recurrent;

import reviewnet.nn.embedding.EmbeddingIndices;
import reviewnet.nn.embedding.FastEmbeddingLayer;
import reviewnet.nn.embedding.FastEmbeddingParamInitializer;
import reviewnet.nn.layers.FastEmbedding;
import reviewnet.nn.layers.FusedLstm;
import reviewnet.nn.layers.GRU;

import java.nio.FloatBuffer;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.layers.DropoutLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inference of {@code FastEmbedding → [Dropout] → FusedLstm | GRU (last step) → ...} with the embedding folded into
 * the recurrent layer's input projection: at inference (no dropout) {@code x_t·W + b = E[word_t]·W + b}, so one table
 * {@code P = E·W + b} ({@code [vocabulary, gates·n]}, computed once) replaces, per forward pass, the embedding lookup,
 * the dropout layer's copy, the input's regrouping copy and the input gemm: step t's projections are the table rows of
 * its words. Everything after the recurrent layer runs as DL4J runs it.
 *
 * <p>Why: with the element-wise work already in {@link FloatKernels}, those four cost about half of an LSTM or GRU
 * inference pass of 256 reviews (async-profiler over {@code submit-scripts/profile-minibatch.sh}), and evaluation
 * runs about 50 such passes per executor core per 25,000 reviews; the table costs one gemm of
 * {@code vocabulary × embedding × gates·n} (2.6 GFLOP for the notebook's LSTM) and 41 MB, once per network.
 *
 * <p>The table is taken from the parameters when this object is made: make it after training, for a network whose
 * parameters no longer change (evaluation and prediction build one per network). Results equal
 * {@code net.output(features, false)} to float rounding ({@code FoldedInferenceTest}).
 */
public final class FoldedInference {
    private final MultiLayerNetwork net;
    private final int recurrentIndex;
    private final long vocabulary;
    private final int rows;
    private final INDArray table;       // [vocabulary, rows]
    private final FloatBuffer tableB;

    private FoldedInference(MultiLayerNetwork net, int recurrentIndex, INDArray table) {
        this.net = net;
        this.recurrentIndex = recurrentIndex;
        this.table = table;
        this.vocabulary = table.size(0);
        this.rows = Math.toIntExact(table.size(1));
        this.tableB = FloatKernels.floats(table);
    }

    /**
     * The network's inference, word indices {@code [mb, T]} → output: the folded path where the network has that form,
     * else {@code net.output(features, false)}. Evaluation, prediction and the minibatch profile score through it.
     */
    public static UnaryOperator<INDArray> inference(MultiLayerNetwork net) {
        FoldedInference folded = of(net);
        return folded != null ? folded::output : features -> net.output(features, false);
    }

    /** The folded path for this network, or null when its layers are not of that form (then use {@code output}). */
    public static FoldedInference of(MultiLayerNetwork net) {
        Layer[] layers = net.getLayers();
        if (layers.length < 3 || !(layers[0] instanceof FastEmbeddingLayer embedding)
                || embedding.getParam(FastEmbeddingParamInitializer.WEIGHT_KEY).dataType() != DataType.FLOAT) {
            return null;
        }
        int r = layers[1] instanceof DropoutLayer ? 2 : 1;
        for (int l = 1; l <= r; l++) {
            if (net.getLayerWiseConfigurations().getInputPreProcess(l) != null) {
                return null;
            }
        }
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray wb;
        if (layers[r] instanceof FusedRecurrentLayer<?> recurrent && recurrent.foldable()) {
            wb = recurrent.inputWeightsAndBias(ArrayType.FF_WORKING_MEM, mgr);
        } else {
            return null;
        }
        INDArray e = embedding.getParam(FastEmbeddingParamInitializer.WEIGHT_KEY);
        long nIn = e.size(1);
        if (wb.size(0) != nIn + 1) {
            return null;
        }
        INDArray table = Nd4j.create(DataType.FLOAT, new long[]{e.size(0), wb.size(1)}, 'c');
        Nd4j.gemm(e, wb.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, nIn),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c'), table, false, false, 1.0, 0.0);
        table.addiRowVector(wb.getRow(nIn));
        return new FoldedInference(net, r, table);
    }

    /** The network's output for word indices {@code [mb, T]}, as {@code net.output(features, false)} gives it. */
    public INDArray output(INDArray features) {
        EmbeddingIndices ix = EmbeddingIndices.read(features, vocabulary, "FoldedInference");
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        Layer recurrent = net.getLayer(recurrentIndex);
        TableInputs inputs = new TableInputs(ix);
        INDArray h = ((FusedRecurrentLayer<?>) recurrent).lastStep(inputs, ix.mb, ix.tLen, mgr);
        for (int l = recurrentIndex + 1; l < net.getnLayers(); l++) {
            InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(l);
            if (pre != null) {
                h = pre.preProcess(h, ix.mb, mgr);
            }
            h = net.getLayer(l).activate(h, false, mgr);
        }
        return h;
    }

    /** Step t's projections: the table rows of the step's words, gathered into one [mb, rows] block. */
    private final class TableInputs implements StepInputs {
        private final EmbeddingIndices ix;
        private final INDArray block;
        private final FloatBuffer blockB;
        private int filled = -1;

        TableInputs(EmbeddingIndices ix) {
            this.ix = ix;
            this.block = Nd4j.create(DataType.FLOAT, new long[]{ix.mb, rows}, 'c');
            this.blockB = FloatKernels.floats(block);
        }

        @Override
        public INDArray block(int t) {
            fill(t);
            return block;
        }

        @Override
        public void read(int t, float[] g) {
            fill(t);
            FloatKernels.get(blockB, 0, g, 0, ix.mb * rows);
        }

        private void fill(int t) {
            if (filled == t) {
                return;
            }
            for (int i = 0; i < ix.mb; i++) {
                blockB.put(i * rows, tableB, ix.idx[i * ix.tLen + t] * rows, rows);
            }
            filled = t;
        }
    }
}
