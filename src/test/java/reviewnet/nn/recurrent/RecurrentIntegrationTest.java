package reviewnet.nn.recurrent;

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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import reviewnet.nn.layers.FusedRecurrent;
import reviewnet.testing.DefaultDataTypes;

/**
 * Every {@link Cell} inside DL4J's machinery: returnSequences=false against LastTimeStep(full sequence), workspaces
 * against none (float and double), the float path's gradients against double's with state kept across shapes, the kept forward pass against a recomputed one, the refusal of truncated BPTT, the memory report.
 */
class RecurrentIntegrationTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    /** cell(5) → [LastTimeStep(cell(6)) | cell(6, last step only)] → Dense → softmax. */
    private static MultiLayerConfiguration productLike(Cell cell, DataType dt, WorkspaceMode ws, double dropout,
                                                       boolean wrapper) {
        FusedRecurrent.Builder<?> top = cell.builder(0, 6).returnSequences(wrapper);
        if (dropout > 0) {
            top.dropOut(dropout);
        }
        FusedRecurrent topLayer = top.build();
        return new NeuralNetConfiguration.Builder()
                .seed(11)
                .dataType(dt)
                .updater(new Adam(0.01))
                .trainingWorkspaceMode(ws)
                .inferenceWorkspaceMode(ws)
                .list()
                .layer(cell.builder(0, 5).build())
                .layer(wrapper ? new LastTimeStep(topLayer) : topLayer)
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

    /** Variable lengths: post padding, and some pre padding. */
    private static DataSet data(int seed, DataType dt, int mb, int t) {
        Random rng = new Random(seed);
        INDArray x = Nd4j.rand(dt, mb, 3, t).subi(0.5).muli(2);
        INDArray mask = Nd4j.zeros(dt, mb, t);
        INDArray y = Nd4j.zeros(dt, mb, 2);
        for (int i = 0; i < mb; i++) {
            int start = rng.nextInt(3);
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

    /**
     * returnSequences=false gives exactly what LastTimeStep(returnSequences=true) gives with the same parameters:
     * outputs, scores, parameter gradients and training, with masks (post and pre padding).
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void lastStepOnlyEqualsLastTimeStepWrapper(Cell cell) {
        MultiLayerNetwork wrapped = init(productLike(cell, DataType.DOUBLE, WorkspaceMode.ENABLED, 0.0, true));
        MultiLayerNetwork own = init(productLike(cell, DataType.DOUBLE, WorkspaceMode.ENABLED, 0.0, false));
        assertEquals(wrapped.params(), own.params());
        RecurrentNetworkChecks.assertLastStepOnlyEqualsWrapper(wrapped, own, List.of(data(20, DataType.DOUBLE, 8, 9),
                data(21, DataType.DOUBLE, 8, 9), data(22, DataType.DOUBLE, 8, 9), data(23, DataType.DOUBLE, 8, 9),
                data(24, DataType.DOUBLE, 8, 9), data(25, DataType.DOUBLE, 8, 9)));
    }

    /** Training with workspaces (the default) gives exactly what training without them gives, float and double. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void trainingWithWorkspacesEqualsWithout(Cell cell) {
        for (DataType dt : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            for (double dropout : new double[]{0.0, 0.7}) {
                for (boolean wrapper : new boolean[]{false, true}) {
                    String what = dt + " dropout " + dropout + " wrapper " + wrapper;
                    MultiLayerNetwork a = init(productLike(cell, dt, WorkspaceMode.ENABLED, dropout, wrapper));
                    MultiLayerNetwork b = init(productLike(cell, dt, WorkspaceMode.NONE, dropout, wrapper));
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
                    assertEquals(0.0, maxDiff(a.params(), b.params()), 0.0, what);
                    MultiLayerNetwork fresh = init(productLike(cell, dt, WorkspaceMode.NONE, dropout, wrapper));
                    assertTrue(maxDiff(a.params(), fresh.params()) > 1e-3, "training changed the params: " + what);
                }
            }
        }
    }

    /**
     * The float path computes the same gradients as the double path (to float rounding), and state kept between
     * iterations (the core's cached data pointers of parameter and gradient views) stays correct when minibatch size,
     * length or masking change: every gradient equals that of a fresh network.
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void floatPathAndReusedBuffersGiveTheSameGradients(Cell cell) {
        MultiLayerNetwork reused = init(productLike(cell, DataType.FLOAT, WorkspaceMode.ENABLED, 0.0, false));
        MultiLayerNetwork dbl = init(productLike(cell, DataType.DOUBLE, WorkspaceMode.ENABLED, 0.0, false));
        dbl.setParams(reused.params().castTo(DataType.DOUBLE));
        int[][] shapes = {{8, 9}, {8, 9}, {5, 9}, {8, 4}, {8, 9}, {8, 9}};
        for (int k = 0; k < shapes.length; k++) {
            DataSet ds = data(40 + k, DataType.FLOAT, shapes[k][0], shapes[k][1]);
            if (k == 4) {
                ds.setFeaturesMaskArray(null);
            }
            MultiLayerNetwork fresh = init(productLike(cell, DataType.FLOAT, WorkspaceMode.ENABLED, 0.0, false));
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

    private static MultiLayerNetwork sequenceNet(Cell cell, BackpropType backprop) {
        return init(new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(5).list()
                .layer(cell.builder(3, 4).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nIn(4).nOut(1).build())
                .backpropType(backprop).tBPTTLength(3)
                .build());
    }

    /**
     * backpropGradient after activate(training=true) reuses that forward pass; without it (or for a different input
     * array, or a different mask) the forward pass is recomputed. Both give identical gradients and input epsilons.
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void cachedForwardEqualsRecomputedForward(Cell cell) {
        MultiLayerNetwork net = sequenceNet(cell, BackpropType.Standard);
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

    @ParameterizedTest
    @EnumSource(Cell.class)
    void truncatedBpttIsRejectedClearly(Cell cell) {
        MultiLayerNetwork net = sequenceNet(cell, BackpropType.TruncatedBPTT);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> net.fit(new DataSet(Nd4j.rand(DataType.DOUBLE, 2, 3, 7), Nd4j.rand(DataType.DOUBLE, 2, 1, 7))));
        assertTrue(e.getMessage().contains("truncated BPTT"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void memoryReport(Cell cell) {
        for (boolean sequences : new boolean[]{true, false}) {
            FusedRecurrent layer = cell.builder(128, 128).returnSequences(sequences).build();
            LayerMemoryReport r = layer.getMemoryReport(InputType.recurrent(128, 100));
            assertNotNull(r);
            assertEquals(layer.initializer().numParams(layer), r.getParameterSize());
            assertEquals(sequences ? InputType.recurrent(128, 100) : InputType.feedForward(128), r.getOutputType());
            long train = r.getTotalMemoryBytes(32, MemoryUseMode.TRAINING, CacheMode.NONE, DataType.FLOAT);
            long inf = r.getTotalMemoryBytes(32, MemoryUseMode.INFERENCE, CacheMode.NONE, DataType.FLOAT);
            assertTrue(train > inf && inf > 4L * r.getParameterSize(), train + " / " + inf);
        }
    }
}
