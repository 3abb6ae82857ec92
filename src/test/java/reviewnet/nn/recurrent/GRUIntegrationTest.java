package reviewnet.nn.recurrent;

import reviewnet.nn.layers.GRU;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The layer inside DL4J's machinery: returnSequences=false against LastTimeStep(full sequence), forward cache vs
 * recompute, workspaces, unsupported tBPTT, memory report.
 */
public class GRUIntegrationTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    @BeforeEach
    public void setUp() {
            }

    private static MultiLayerConfiguration productLike(WorkspaceMode ws, double dropout) {
        return productLike(ws, false, dropout);
    }

    /** The product's shape (GRU last step → Dense → softmax) with the last step taken by the layer or by LastTimeStep. */
    private static MultiLayerConfiguration productLike(WorkspaceMode ws, boolean lastStepInLayer, double dropout) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(11)
                .dataType(DataType.DOUBLE)
                .updater(new Adam(0.01))
                .trainingWorkspaceMode(ws)
                .inferenceWorkspaceMode(ws)
                .list();
        GRU.Builder gru = new GRU.Builder().nOut(6).returnSequences(!lastStepInLayer);
        if (dropout > 0) {
            gru.dropOut(dropout);
        }
        return b.layer(new GRU.Builder().nOut(5).build())
                .layer(lastStepInLayer ? gru.build() : new LastTimeStep(gru.build()))
                .layer(new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(3))
                .build();
    }

    /** Variable lengths: post padding, and some pre padding. */
    private static DataSet data(int seed) {
        Random rng = new Random(seed);
        int mb = 8, t = 9;
        INDArray x = Nd4j.rand(DataType.DOUBLE, mb, 3, t).subi(0.5);
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, mb, t);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, mb, 2);
        for (int i = 0; i < mb; i++) {
            int len = 4 + rng.nextInt(t - 3);
            int start = i % 3 == 0 ? t - len : 0;
            for (int j = start; j < start + len; j++) {
                mask.putScalar(i, j, 1.0);
            }
            y.putScalar(i, rng.nextInt(2), 1.0);
        }
        return new DataSet(x, y, mask, null);
    }

    /**
     * returnSequences=false gives exactly what LastTimeStep(returnSequences=true) gives with the same parameters:
     * outputs, scores, parameter gradients and training, with masks (post and pre padding).
     */
    @Test
    public void lastStepOnlyEqualsLastTimeStepWrapper() {
        MultiLayerNetwork wrapped = new MultiLayerNetwork(productLike(WorkspaceMode.ENABLED, false, 0));
        wrapped.init();
        MultiLayerNetwork own = new MultiLayerNetwork(productLike(WorkspaceMode.ENABLED, true, 0));
        own.init();
        RecurrentNetworkChecks.assertLastStepOnlyEqualsWrapper(wrapped, own, List.of(data(0), data(1), data(2), data(3)));
    }

    /** The layer rejects returnSequences=false with the state reset on masked steps. */
    @Test
    public void lastStepOnlyNeedsCarriedState() {
        assertThrows(IllegalArgumentException.class,
                () -> new GRU.Builder(3, 4).returnSequences(false).carryStateOnMask(false).build());
    }

    /** Training with workspaces (the default) must give exactly what training without workspaces gives. */
    @Test
    public void trainingWithWorkspacesEqualsWithout() {
        for (double dropout : new double[]{0.0, 0.7}) {
            MultiLayerNetwork a = new MultiLayerNetwork(productLike(WorkspaceMode.ENABLED, dropout));
            a.init();
            MultiLayerNetwork b = new MultiLayerNetwork(productLike(WorkspaceMode.NONE, dropout));
            b.init();
            assertEquals(a.params(), b.params());
            for (int i = 0; i < 5; i++) {
                DataSet ds = data(i);
                Nd4j.getRandom().setSeed(100 + i);
                a.fit(ds);
                Nd4j.getRandom().setSeed(100 + i);
                b.fit(ds);
                // an inference call in between must not disturb the next training step
                a.output(ds.getFeatures(), false, ds.getFeaturesMaskArray(), null);
            }
            assertTrue(a.params().sub(b.params()).amaxNumber().doubleValue() < 1e-12, "dropout " + dropout);
            MultiLayerNetwork fresh = new MultiLayerNetwork(productLike(WorkspaceMode.NONE, dropout));
            fresh.init();
            assertTrue(a.params().sub(fresh.params()).amaxNumber().doubleValue() > 1e-3, "training changed the params");
        }
    }

    /**
     * backpropGradient after activate(training=true) reuses that forward pass; without it (or for a different input
     * array) the forward pass is recomputed. Both must give identical gradients and input epsilons.
     */
    @Test
    public void cachedForwardEqualsRecomputedForward() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(5).list()
                .layer(new GRU.Builder(3, 4).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nIn(4).nOut(1).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        Layer l = net.getLayer(0);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 5);
        INDArray eps = Nd4j.rand(DataType.DOUBLE, 2, 4, 5);
        INDArray mask = Nd4j.create(new double[][]{{1, 1, 1, 0, 0}, {0, 1, 1, 1, 1}});

        l.setInput(x, mgr);
        l.setMaskArray(mask);
        l.activate(true, mgr);
        Pair<Gradient, INDArray> cached = l.backpropGradient(eps, mgr);
        INDArray g1 = cached.getFirst().gradient().dup();
        INDArray e1 = cached.getSecond().dup();

        l.setInput(x.dup(), mgr);          // new input array: no cache -> recompute
        l.setMaskArray(mask);
        Pair<Gradient, INDArray> recomputed = l.backpropGradient(eps, mgr);
        assertEquals(0.0, g1.sub(recomputed.getFirst().gradient()).amaxNumber().doubleValue(), 1e-14);
        assertEquals(0.0, e1.sub(recomputed.getSecond()).amaxNumber().doubleValue(), 1e-14);
        assertTrue(g1.amaxNumber().doubleValue() > 1e-3);

        // a stale cache (different mask) must not be used
        l.setInput(x, mgr);
        l.setMaskArray(mask);
        l.activate(true, mgr);
        l.setMaskArray(null);
        INDArray g3 = l.backpropGradient(eps, mgr).getFirst().gradient().dup();   // (the gradient view is reused)
        l.setInput(x.dup(), mgr);
        l.setMaskArray(null);
        INDArray g4 = l.backpropGradient(eps, mgr).getFirst().gradient();
        assertEquals(0.0, g3.sub(g4).amaxNumber().doubleValue(), 1e-14);
        assertTrue(g3.sub(g1).amaxNumber().doubleValue() > 1e-6, "mask must matter");
    }

    @Test
    public void truncatedBpttIsRejectedClearly() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).list()
                .layer(new GRU.Builder(3, 4).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nIn(4).nOut(1).build())
                .backpropType(BackpropType.TruncatedBPTT).tBPTTLength(3)
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> net.fit(new DataSet(Nd4j.rand(DataType.DOUBLE, 2, 3, 7), Nd4j.rand(DataType.DOUBLE, 2, 1, 7))));
        assertTrue(e.getMessage().contains("truncated BPTT"));
    }

    @Test
    public void memoryReport() {
        GRU gru = new GRU.Builder(128, 128).build();
        LayerMemoryReport r = gru.getMemoryReport(InputType.recurrent(128, 100));
        assertNotNull(r);
        assertEquals(gru.initializer().numParams(gru), r.getParameterSize());
        long train = r.getTotalMemoryBytes(32, MemoryUseMode.TRAINING, CacheMode.NONE, DataType.FLOAT);
        long inf = r.getTotalMemoryBytes(32, MemoryUseMode.INFERENCE, CacheMode.NONE, DataType.FLOAT);
        assertTrue(train > inf && inf > 4L * r.getParameterSize(), train + " / " + inf);
    }
}
