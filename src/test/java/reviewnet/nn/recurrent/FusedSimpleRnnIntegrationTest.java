package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedSimpleRnn;
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
 * The layer inside DL4J's machinery: workspaces, the FLOAT (single precision BLAS) path, reused training buffers across
 * changing shapes, forward cache vs recompute, last-step-only vs LastTimeStep in training, unsupported tBPTT, memory
 * report.
 */
public class FusedSimpleRnnIntegrationTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    @BeforeEach
    public void setUp() {
            }

    /** FusedSimpleRnn(5) → [LastTimeStep(FusedSimpleRnn(6)) | FusedSimpleRnn(6, last only)] → Dense → softmax. */
    private static MultiLayerConfiguration productLike(DataType dt, WorkspaceMode ws, double dropout, boolean wrapper) {
        FusedSimpleRnn.Builder top = new FusedSimpleRnn.Builder().nOut(6).returnSequences(wrapper);
        if (dropout > 0) {
            top.dropOut(dropout);
        }
        return new NeuralNetConfiguration.Builder()
                .seed(11)
                .dataType(dt)
                .updater(new Adam(0.01))
                .trainingWorkspaceMode(ws)
                .inferenceWorkspaceMode(ws)
                .list()
                .layer(new FusedSimpleRnn.Builder().nOut(5).build())
                .layer(wrapper ? new LastTimeStep(top.build()) : top.build())
                .layer(new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(3))
                .build();
    }

    private static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static DataSet data(int seed, DataType dt, int mb, int t) {
        Random rng = new Random(seed);
        INDArray x = Nd4j.rand(dt, mb, 3, t).subi(0.5).muli(2);
        INDArray mask = Nd4j.zeros(dt, mb, t);
        INDArray y = Nd4j.zeros(dt, mb, 2);
        for (int i = 0; i < mb; i++) {
            int start = rng.nextInt(3);                     // some pre padding
            int len = Math.max(1, t - start - rng.nextInt(t / 2));
            for (int j = start; j < start + len; j++) {
                mask.putScalar(i, j, 1.0);
            }
            y.putScalar(i, rng.nextInt(2), 1.0);
        }
        return new DataSet(x, y, mask, null);
    }

    private static double maxDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    /** Training with workspaces (the default) must give exactly what training without workspaces gives, FLOAT and DOUBLE. */
    @Test
    public void trainingWithWorkspacesEqualsWithout() {
        for (DataType dt : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            for (double dropout : new double[]{0.0, 0.7}) {
                MultiLayerNetwork a = init(productLike(dt, WorkspaceMode.ENABLED, dropout, false));
                MultiLayerNetwork b = init(productLike(dt, WorkspaceMode.NONE, dropout, false));
                assertEquals(a.params(), b.params());
                for (int i = 0; i < 5; i++) {
                    DataSet ds = data(i, dt, 8, 9);
                    Nd4j.getRandom().setSeed(100 + i);
                    a.fit(ds);
                    Nd4j.getRandom().setSeed(100 + i);
                    b.fit(ds);
                    // an inference call in between must not disturb the next training step
                    a.output(ds.getFeatures(), false, ds.getFeaturesMaskArray(), null);
                }
                assertEquals(0.0, maxDiff(a.params(), b.params()), 0.0, dt + " dropout " + dropout);
                MultiLayerNetwork fresh = init(productLike(dt, WorkspaceMode.NONE, dropout, false));
                assertTrue(maxDiff(a.params(), fresh.params()) > 1e-3, "training changed the params");
            }
        }
    }

    /** returnSequences(false) trains exactly like LastTimeStep around the full sequence (same gradients every step). */
    @Test
    public void lastStepOnlyTrainsLikeLastTimeStep() {
        MultiLayerNetwork wrapped = init(productLike(DataType.DOUBLE, WorkspaceMode.ENABLED, 0.0, true));
        MultiLayerNetwork last = init(productLike(DataType.DOUBLE, WorkspaceMode.ENABLED, 0.0, false));
        RecurrentNetworkChecks.assertLastStepOnlyEqualsWrapper(wrapped, last,
                List.of(data(20, DataType.DOUBLE, 8, 9), data(21, DataType.DOUBLE, 8, 9), data(22, DataType.DOUBLE, 8, 9),
                        data(23, DataType.DOUBLE, 8, 9), data(24, DataType.DOUBLE, 8, 9), data(25, DataType.DOUBLE, 8, 9)));
    }

    /**
     * The FLOAT path (single precision BLAS called directly) computes the same gradients as the DOUBLE path, and the
     * training buffers, reused while the shape stays the same, are rebuilt correctly when minibatch size, length or
     * masking change: every gradient equals that of a fresh network.
     */
    @Test
    public void floatPathAndReusedBuffersGiveTheSameGradients() {
        MultiLayerNetwork reused = init(productLike(DataType.FLOAT, WorkspaceMode.ENABLED, 0.0, false));
        MultiLayerNetwork dbl = init(productLike(DataType.DOUBLE, WorkspaceMode.ENABLED, 0.0, false));
        dbl.setParams(reused.params().castTo(DataType.DOUBLE));
        int[][] shapes = {{8, 9}, {8, 9}, {5, 9}, {8, 4}, {8, 9}, {8, 9}};
        for (int k = 0; k < shapes.length; k++) {
            DataSet ds = data(40 + k, DataType.FLOAT, shapes[k][0], shapes[k][1]);
            if (k == 4) {
                ds.setFeaturesMaskArray(null);
            }
            MultiLayerNetwork fresh = init(productLike(DataType.FLOAT, WorkspaceMode.ENABLED, 0.0, false));
            fresh.setParams(reused.params().dup());
            INDArray g1 = gradient(reused, ds);
            INDArray g2 = gradient(fresh, ds);
            assertEquals(0.0, maxDiff(g1, g2), 0.0, "shape " + k);
            DataSet dsD = new DataSet(ds.getFeatures().castTo(DataType.DOUBLE), ds.getLabels().castTo(DataType.DOUBLE),
                    ds.getFeaturesMaskArray() == null ? null : ds.getFeaturesMaskArray().castTo(DataType.DOUBLE), null);
            INDArray gd = gradient(dbl, dsD);
            double scale = gd.amaxNumber().doubleValue();
            assertTrue(scale > 1e-3);
            assertTrue(maxDiff(g1, gd) < 1e-4 * scale, "float vs double, shape " + k + ": " + maxDiff(g1, gd));
        }
    }

    private static INDArray gradient(MultiLayerNetwork net, DataSet ds) {
        net.setInput(ds.getFeatures());
        net.setLabels(ds.getLabels());
        net.setLayerMaskArrays(ds.getFeaturesMaskArray(), null);
        net.computeGradientAndScore();
        net.clearLayerMaskArrays();
        return net.gradient().gradient().dup();
    }

    /**
     * backpropGradient after activate(training=true) reuses that forward pass; without it (or for a different input
     * array) the forward pass is recomputed. Both must give identical gradients and input epsilons.
     */
    @Test
    public void cachedForwardEqualsRecomputedForward() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(5).list()
                .layer(new FusedSimpleRnn.Builder(3, 4).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nIn(4).nOut(1).build())
                .build();
        MultiLayerNetwork net = init(conf);
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
        assertEquals(0.0, maxDiff(g1, recomputed.getFirst().gradient()), 1e-14);
        assertEquals(0.0, maxDiff(e1, recomputed.getSecond()), 1e-14);
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
        assertEquals(0.0, maxDiff(g3, g4), 1e-14);
        assertTrue(maxDiff(g3, g1) > 1e-6, "mask must matter");
    }

    @Test
    public void truncatedBpttIsRejectedClearly() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).list()
                .layer(new FusedSimpleRnn.Builder(3, 4).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nIn(4).nOut(1).build())
                .backpropType(BackpropType.TruncatedBPTT).tBPTTLength(3)
                .build();
        MultiLayerNetwork net = init(conf);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> net.fit(new DataSet(Nd4j.rand(DataType.DOUBLE, 2, 3, 7), Nd4j.rand(DataType.DOUBLE, 2, 1, 7))));
        assertTrue(e.getMessage().contains("truncated BPTT"));
    }

    @Test
    public void memoryReportAndOutputType() {
        FusedSimpleRnn rnn = new FusedSimpleRnn.Builder(128, 128).build();
        LayerMemoryReport r = rnn.getMemoryReport(InputType.recurrent(128, 100));
        assertNotNull(r);
        assertEquals(rnn.initializer().numParams(rnn), r.getParameterSize());
        long train = r.getTotalMemoryBytes(32, MemoryUseMode.TRAINING, CacheMode.NONE, DataType.FLOAT);
        long inf = r.getTotalMemoryBytes(32, MemoryUseMode.INFERENCE, CacheMode.NONE, DataType.FLOAT);
        assertTrue(train > inf && inf > 4L * r.getParameterSize(), train + " / " + inf);
        assertEquals(InputType.recurrent(128, 100), rnn.getOutputType(0, InputType.recurrent(128, 100)));
        FusedSimpleRnn last = new FusedSimpleRnn.Builder(128, 128).returnSequences(false).build();
        assertEquals(InputType.feedForward(128), last.getOutputType(0, InputType.recurrent(128, 100)));
    }
}
