package reviewnet.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reviewnet.config.ModelSettings;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;
import reviewnet.nn.recurrent.FoldedInference;
import reviewnet.train.Features;
import reviewnet.train.ExecutorEnvironment;
import reviewnet.train.NativeBackend;

/**
 * Where one minibatch's time goes, per architecture, in one JVM without Spark (the work one parameter-averaging worker
 * does between two averaging rounds). Prints, per architecture: the median {@code fit} time of a minibatch; the
 * median forward and backward time of every layer (DL4J's own layer calls, no workspaces); the Adam update; the
 * JVM's allocation and GC time per minibatch; with {@code --ops}, ND4J's per-op totals (its {@link OpProfiler}).
 * Inputs are minibatches of word indices drawn from a Zipf distribution over the vocabulary (as word frequencies are)
 * with random labels: the cost of these networks does not depend on the values. Run it through
 * {@code submit-scripts/profile-minibatch.sh}, which sets the native thread count as an executor would get it.
 */
@Command(name = "minibatch-profile", mixinStandardHelpOptions = true)
public final class MinibatchProfile implements Callable<Integer> {
    @Option(names = "--architectures", split = ",", description = "default: all")
    List<String> architectures = Architectures.names();
    @Option(names = "--batches", description = "timed minibatches per measurement (default ${DEFAULT-VALUE})")
    int batches = 60;
    @Option(names = "--warmup", description = "untimed minibatches first (default ${DEFAULT-VALUE})")
    int warmup = 20;
    @Option(names = "--batch-size", description = "default ${DEFAULT-VALUE}")
    int batchSize = 32;
    @Option(names = "--fit-only", description = "time only whole fit calls (no per-layer split)")
    boolean fitOnly;
    @Option(names = "--native-backend", description = "auto, generic or onednn-avx2 (default ${DEFAULT-VALUE})")
    String nativeBackend = "auto";
    @Option(names = "--ops", description = "also print ND4J's per-op totals of the timed fit calls")
    boolean ops;

    @Option(names = "--eval-batch-size", description = "reviews per forward pass when timing inference "
            + "(default ${DEFAULT-VALUE}, as reference.conf's eval-batch-size)")
    int evalBatch = 256;

    @Option(names = "--sequence-length", description = "words per review (default ${DEFAULT-VALUE})")
    int sequenceLength = 100;

    /** The notebook's sizes (the defaults of reference.conf) at --sequence-length. */
    private ModelSettings model() {
        return new ModelSettings(20000, sequenceLength, 128, 128, 0.2, 64, 5, 4);
    }

    @Override
    public Integer call() {
        ExecutorEnvironment.applyOpenblasCoretype("auto");
        String extension = NativeBackend.select(nativeBackend);
        System.out.printf("minibatch profile: batch %d, %d timed after %d warm-up, native threads %s, nd4j-native build %s%n",
                batchSize, batches, warmup, System.getenv("OMP_NUM_THREADS"),
                extension.isEmpty() ? "generic" : extension.substring(1));
        for (String name : architectures) {
            profile(name, minibatches(warmup + batches, new Random(7),
                    Features.of(Architectures.get(name), model())));
        }
        return 0;
    }

    private void profile(String name, List<DataSet> data) {
        MultiLayerNetwork net = new MultiLayerNetwork(SequenceClassifier.configuration(Architectures.get(name), model(),
                1e-3, 42));
        net.init();
        // 1. fit, as a training worker calls it
        for (int i = 0; i < warmup; i++) {
            net.fit(data.get(i));
        }
        long gc0 = gcMillis();
        long alloc0 = allocatedBytes();
        double[] fit = new double[batches];
        for (int i = 0; i < batches; i++) {
            long t = System.nanoTime();
            net.fit(data.get(warmup + i));
            fit[i] = (System.nanoTime() - t) / 1e6;
        }
        double gcPerBatch = (gcMillis() - gc0) / (double) batches;
        double allocPerBatch = (allocatedBytes() - alloc0) / (double) batches / (1 << 20);

        double f = median(fit);
        System.out.printf("%n%s: fit %.2f ms per minibatch of %d (%.0f examples/s on these threads), %d parameters%n",
                name, f, batchSize, batchSize * 1000 / f, net.numParams());
        double inference = inference(net, data);
        System.out.printf("       inference: %.2f ms per %d reviews (%.0f reviews/s on these threads)%n", inference,
                evalBatch, evalBatch * 1000 / inference);
        System.out.printf("       JVM: %.1f MiB allocated and %.2f ms GC per fit call%n", allocPerBatch, gcPerBatch);
        if (fitOnly) {
            System.out.printf("PROFILE architecture=%s fit_ms=%.2f inference_ms_per_%d=%.2f alloc_mib=%.1f "
                    + "gc_ms=%.2f%n", name, f, evalBatch, inference, allocPerBatch, gcPerBatch);
        } else {
            split(name, net, data, f);
        }
        if (ops) {
            opProfile(net, data);
        }
    }

    /**
     * Median time of a forward pass (inference) over {@code --eval-batch-size} reviews, as evaluation runs it (with
     * {@link FoldedInference} where the network folds).
     */
    private double inference(MultiLayerNetwork net, List<DataSet> data) {
        int per = evalBatch / batchSize;
        List<INDArray> inputs = new ArrayList<>();
        for (int i = 0; i + per <= data.size(); i += per) {
            inputs.add(DataSet.merge(data.subList(i, i + per)).getFeatures());
        }
        double[] times = new double[Math.max(1, inputs.size() - 1)];
        UnaryOperator<INDArray> inference = FoldedInference.inference(net);    // as the evaluation scores
        net.output(inputs.get(0), false);
        for (int i = 0; i < times.length; i++) {
            long t = System.nanoTime();
            inference.apply(inputs.get((i + 1) % inputs.size()));
            times[i] = (System.nanoTime() - t) / 1e6;
        }
        return median(times);
    }

    private void split(String name, MultiLayerNetwork net, List<DataSet> data, double f) {
        // 2. the same work split up: layer by layer forward and backward, then the updater
        Layer[] layers = net.getLayers();
        double[][] fwd = new double[layers.length][batches];
        double[][] bwd = new double[layers.length][batches];
        double[] update = new double[batches];
        double[] step = new double[batches];
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        for (int b = -warmup; b < batches; b++) {
            DataSet ds = data.get(Math.floorMod(b, data.size()));
            INDArray in = ds.getFeatures();
            int mb = (int) in.size(0);
            for (int l = 0; l < layers.length; l++) {
                long t = System.nanoTime();
                InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(l);
                if (pre != null) {
                    in = pre.preProcess(in, mb, mgr);
                }
                if (layers[l] instanceof IOutputLayer out) {
                    out.setLabels(ds.getLabels());
                }
                in = layers[l].activate(in, true, mgr);
                if (b >= 0) {
                    fwd[l][b] = (System.nanoTime() - t) / 1e6;
                }
            }
            INDArray eps = null;
            Gradient gradient = new org.deeplearning4j.nn.gradient.DefaultGradient(net.getFlattenedGradients());
            for (int l = layers.length - 1; l >= 0; l--) {
                long t = System.nanoTime();
                Pair<Gradient, INDArray> p = layers[l].backpropGradient(eps, mgr);
                eps = p.getSecond();
                InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(l);
                if (pre != null && eps != null) {
                    eps = pre.backprop(eps, mb, mgr);
                }
                int index = l;
                p.getFirst().gradientForVariable().forEach((k, v) -> gradient.setGradientFor(index + "_" + k, v));
                if (b >= 0) {
                    bwd[l][b] = (System.nanoTime() - t) / 1e6;
                }
            }
            long t = System.nanoTime();
            ((BaseMultiLayerUpdater<?>) net.getUpdater()).update(gradient, 0, 0, mb, mgr);
            long t2 = System.nanoTime();
            net.params().subi(net.getFlattenedGradients());
            long t3 = System.nanoTime();
            if (b >= 0) {
                update[b] = (t2 - t) / 1e6;
                step[b] = (t3 - t2) / 1e6;
            }
        }
        double parts = 0;
        StringBuilder table = new StringBuilder();
        for (int l = 0; l < layers.length; l++) {
            double forward = median(fwd[l]);
            double backward = median(bwd[l]);
            parts += forward + backward;
            String layerName = net.getLayerWiseConfigurations().getConf(l).getLayer().getClass().getSimpleName();
            table.append(String.format("    %-2d %-26s forward %8.2f ms   backward %8.2f ms%n", l, layerName, forward,
                    backward));
        }
        double u = median(update);
        double s = median(step);
        parts += u + s;
        System.out.print(table);
        System.out.printf("       %-26s          %8.2f ms%n", "Adam update (all params)", u);
        System.out.printf("       %-26s          %8.2f ms%n", "parameter step", s);
        System.out.printf("       sum of parts %.2f ms; fit - parts %.2f ms (DL4J's fit machinery: workspaces, "
                + "listeners, score)%n", parts, f - parts);
        System.out.printf("PROFILE architecture=%s fit_ms=%.2f layers_ms=%.2f update_ms=%.2f%n", name, f,
                parts - u - s, u);
    }

    private void opProfile(MultiLayerNetwork net, List<DataSet> data) {
        OpProfiler.getInstance().reset();
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
        try {
            for (int i = 0; i < batches; i++) {
                net.fit(data.get(warmup + i));
            }
        } finally {
            Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
        }
        System.out.println("    ND4J ops over " + batches + " fit calls (OpProfiler):");
        OpProfiler.getInstance().printOutDashboard();
    }

    /** Minibatches of Zipf-distributed word indices in [3, vocabulary) with random 0/1 labels. */
    List<DataSet> minibatches(int count, Random random, Features features) {
        ModelSettings model = model();
        int vocabulary = model.vocabularySize();
        int length = model.sequenceLength();
        int width = features.width(length);
        double[] cumulative = new double[vocabulary];
        double total = 0;
        for (int i = 3; i < vocabulary; i++) {
            total += 1.0 / (i - 2);
            cumulative[i] = total;
        }
        List<DataSet> out = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            float[] x = new float[batchSize * width];
            float[] y = new float[batchSize];
            for (int i = 0; i < x.length; i++) {
                if (i % width >= length) {
                    // a hashed bigram: uniform over the buckets, past the vocabulary
                    x[i] = vocabulary + random.nextInt(model.bigramBuckets());
                    continue;
                }
                int k = Arrays.binarySearch(cumulative, random.nextDouble() * total);
                x[i] = Math.min(vocabulary - 1, Math.max(3, k < 0 ? -k - 1 : k));
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = random.nextInt(2);
            }
            out.add(new DataSet(Nd4j.create(x, new long[] {batchSize, width}),
                    Nd4j.create(y, new long[] {batchSize, 1})));
        }
        return out;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new MinibatchProfile()).execute(args));
    }
}
