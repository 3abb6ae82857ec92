package reviewnet.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RepartitionStrategy;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import reviewnet.config.CompareSettings;
import reviewnet.config.JobConfig;
import reviewnet.config.TrainSettings;
import reviewnet.jobs.PreparedData;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;

/** Replay harness for the reported gru loss rise (investigation only, not for main). */
class GruRiseReplayTest extends SparkTest {
    @TempDir
    static Path tmp;

    static String prop(String k, String d) {
        return System.getProperty("replay." + k, d);
    }

    static volatile DataSet ALL;
    static final java.util.concurrent.ConcurrentHashMap<Long, Object> LAST = new java.util.concurrent.ConcurrentHashMap<>();
    static final java.util.concurrent.ConcurrentHashMap<Long, Double> PRELOSS = new java.util.concurrent.ConcurrentHashMap<>();
    static final java.util.concurrent.ConcurrentHashMap<Long, INDArray> PRE = new java.util.concurrent.ConcurrentHashMap<>();

    static String norms(MultiLayerNetwork net) {
        StringBuilder b = new StringBuilder();
        INDArray st = net.getUpdater().getStateViewArray();
        b.append(String.format("p|%.4f| st|%.4f| stmax %.4g", net.params().norm2Number().doubleValue(),
                st == null ? Double.NaN : st.norm2Number().doubleValue(), st == null ? Double.NaN : st.amaxNumber().doubleValue()));
        return b.toString();
    }

    static final class Probe implements org.deeplearning4j.spark.api.TrainingHook {
        public void preUpdate(DataSet mb, org.deeplearning4j.nn.api.Model model) {
            MultiLayerNetwork net = (MultiLayerNetwork) model;
            long t = Thread.currentThread().getId();
            if (LAST.put(t, net) != net) {
                System.out.printf("PROBE t%d START iter=%d epoch=%d loss(all)=%.4f %s%n", t, net.getIterationCount(),
                        net.getEpochCount(), net.clone().score(ALL, false), norms(net));
            }
            PRE.put(t, net.params().dup());
            PRELOSS.put(t, net.clone().score(ALL, false));
        }

        public void postUpdate(DataSet mb, org.deeplearning4j.nn.api.Model model) {
            MultiLayerNetwork net = (MultiLayerNetwork) model;
            long t = Thread.currentThread().getId();
            INDArray d = net.params().sub(PRE.get(t));
            System.out.printf("PROBE t%d MB n=%d pos=%.3f fshape=%s fmask=%s lmask=%s iter=%d score=%.4f loss(all)=%.4f |dp|=%.4g maxdp=%.4g %s%n",
                    t, mb.numExamples(), mb.getLabels().meanNumber().doubleValue(),
                    java.util.Arrays.toString(mb.getFeatures().shape()),
                    mb.getFeaturesMaskArray() == null ? "-" : java.util.Arrays.toString(mb.getFeaturesMaskArray().shape()),
                    mb.getLabelsMaskArray() == null ? "-" : java.util.Arrays.toString(mb.getLabelsMaskArray().shape()),
                    net.getIterationCount(), net.score(), net.clone().score(ALL, false), d.norm2Number().doubleValue(),
                    d.amaxNumber().doubleValue(), norms(net));
            double after = net.clone().score(ALL, false);
            double pre = PRELOSS.get(t);
            if (after - pre > 0.03) {
                MultiLayerNetwork c = net.clone();
                StringBuilder b = new StringBuilder();
                for (double a : new double[] {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.5, 2.0}) {
                    c.setParams(PRE.get(t).add(d.mul(a)));
                    b.append(String.format(" %.1f:%.4f", a, c.score(ALL, false)));
                }
                System.out.printf("PROBE t%d JUMP pre %.4f after %.4f line%s%n", t, pre, after, b);
                try {
                    StringBuilder db = new StringBuilder();
                    DataSet dall = new DataSet(ALL.getFeatures().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE),
                            ALL.getLabels().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
                    for (double a : new double[] {0, 0.5, 1.0, 2.0}) {
                        c.setParams(PRE.get(t).add(d.mul(a)));
                        MultiLayerNetwork dn = c.convertDataType(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
                        db.append(String.format(" %.1f:%.6f", a, dn.score(dall, false)));
                    }
                    System.out.printf("PROBE t%d JUMP double line%s%n", t, db);
                } catch (RuntimeException ex) {
                    System.out.println("PROBE double failed " + ex);
                }
                StringBuilder k = new StringBuilder();
                long off = 0;
                for (java.util.Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
                    long n = e.getValue().length();
                    INDArray part = org.nd4j.linalg.factory.Nd4j.zeros(d.dataType(), d.shape());
                    part.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1), org.nd4j.linalg.indexing.NDArrayIndex.interval(off, off + n))
                            .assign(d.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1), org.nd4j.linalg.indexing.NDArrayIndex.interval(off, off + n)));
                    c.setParams(PRE.get(t).add(part));
                    k.append(String.format(" %s(|d|=%.3g):%.4f", e.getKey(), part.norm2Number().doubleValue(), c.score(ALL, false)));
                    off += n;
                }
                System.out.printf("PROBE t%d JUMP blocks%s%n", t, k);
            }
        }

        @Override
        public void preUpdate(org.nd4j.linalg.dataset.api.MultiDataSet mb, org.deeplearning4j.nn.api.Model model) {
        }

        @Override
        public void postUpdate(org.nd4j.linalg.dataset.api.MultiDataSet mb, org.deeplearning4j.nn.api.Model model) {
        }

        @Override
        public void preUpdate(org.nd4j.linalg.dataset.api.DataSet mb, org.deeplearning4j.nn.api.Model model) {
            preUpdate((DataSet) mb, model);
        }

        @Override
        public void postUpdate(org.nd4j.linalg.dataset.api.DataSet mb, org.deeplearning4j.nn.api.Model model) {
            postUpdate((DataSet) mb, model);
        }
    }

    static double driverLoss(MultiLayerNetwork net, DataSet all) {
        return net.clone().score(all, false);
    }

    @Test
    void replay() throws Exception {
        String[] archs = prop("archs", "gru,conv").split(",");
        int repeats = Integer.parseInt(prop("repeats", "1"));
        int epochs = Integer.parseInt(prop("epochs", "4"));
        String workers = prop("workers", "2");
        String saveUpdater = prop("saveUpdater", "true");
        String approach = prop("approach", "export");
        boolean ownLoop = Boolean.parseBoolean(prop("ownLoop", "true"));
        boolean scoreEachEpochSpark = Boolean.parseBoolean(prop("sparkScoreEachEpoch", "false"));
        Path imdb = ImdbData.slice(250);
        List<String> overrides = new ArrayList<>(List.of(
                "reviewnet.input.path=" + imdb, "reviewnet.prepared.path=" + tmp.resolve("prepared"),
                "reviewnet.output.path=" + tmp, "reviewnet.train.epochs=" + epochs, "reviewnet.train.workers=" + workers,
                "reviewnet.train.averaging-frequency=2", "reviewnet.train.approach=" + approach,
                "reviewnet.train.save-updater=" + saveUpdater));
        for (String o : prop("extra", "").split(";")) {
            if (!o.isBlank()) {
                overrides.add(o);
            }
        }
        CompareSettings settings = CompareSettings.from(JobConfig.resolve(JobConfig.parseOverrides(overrides)));
        int warm = Integer.parseInt(prop("warmRng", "0"));
        if (warm > 0) {
            JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(0, 1, 2, 3), 4).foreach(i -> {
                for (int k = 0; k < warm; k++) {
                    org.nd4j.linalg.factory.Nd4j.getRandom().nextGaussian();
                }
            });
            System.out.println("REPLAY warmed executor RNGs by " + warm);
        }
        PreparedData prepared = PreparedData.ensure(spark, settings.prepare());
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df = spark.read().parquet(prepared.train());
        int parts = df.rdd().getNumPartitions();
        if (Boolean.parseBoolean(prop("shuffle", "false"))) {
            df = df.orderBy(org.apache.spark.sql.functions.rand(7)).coalesce(parts);
        }
        int rp = Integer.parseInt(prop("repartition", "0"));
        if (rp > 0) {
            df = df.repartition(rp);
        }
        JavaRDD<DataSet> train = DataSets.examples(df);
        if (Boolean.parseBoolean(prop("dropTiny", "false"))) {
            train = train.mapPartitions(it -> {
                List<DataSet> l = new ArrayList<>();
                it.forEachRemaining(l::add);
                if (l.size() % 32 == 1) {
                    l.remove(l.size() - 1);
                }
                return l.iterator();
            });
        }
        train = train.cache();
        for (List<Float> p : train.map(d -> d.getLabels().getFloat(0)).glom().collect()) {
            int switches = 0;
            for (int i = 1; i < p.size(); i++) {
                switches += p.get(i).equals(p.get(i - 1)) ? 0 : 1;
            }
            System.out.println("REPLAY partition of " + p.size() + " examples, label switches " + switches
                    + ", first labels " + p.subList(0, Math.min(12, p.size())));
        }
        long trainRows = prepared.trainRows();
        System.out.println("REPLAY rows=" + train.count() + " epochs=" + epochs + " workers=" + workers
                + " saveUpdater=" + saveUpdater + " approach=" + approach + " ownLoop=" + ownLoop);
        DataSet all = DataSet.merge(new ArrayList<>(train.collect()));
        ALL = all;
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TrainSettings ts = settings.train();
        int run = 0;
        for (int r = 0; r < repeats; r++) {
            for (String name : archs) {
                run++;
                MultiLayerConfiguration conf = SequenceClassifier.configuration(Architectures.get(name),
                        settings.model(), ts.learningRate(), ts.seed());
                MultiLayerNetwork initial = new MultiLayerNetwork(conf.clone());
                initial.init();
                double before = initial.score(all, false);
                String exportDir = tmp.resolve("export-" + name + "-" + run).toString();
                SparkDl4jMultiLayer network;
                StringBuilder per = new StringBuilder();
                if (ownLoop) {
                    int w = ts.workers() > 0 ? ts.workers() : jsc.defaultParallelism();
                    ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(w, 1)
                            .batchSizePerWorker(ts.batchSize())
                            .averagingFrequency(ts.averagingFrequency())
                            .workerPrefetchNumBatches(ts.prefetch())
                            .saveUpdater(ts.saveUpdater())
                            .rddTrainingApproach(ts.approach() == TrainSettings.Approach.EXPORT
                                    ? RDDTrainingApproach.Export : RDDTrainingApproach.Direct)
                            .storageLevel(StorageLevel.fromString(ts.storageLevel()))
                            .repartionData(Repartition.Always)
                            .repartitionStrategy(RepartitionStrategy.Balanced)
                            .exportDirectory(exportDir)
                            .rngSeed(ts.seed())
                            .build();
                    if (java.util.Arrays.asList(prop("probe", "").split(",")).contains(name)) {
                        master.addHook(new Probe());
                    }
                    network = new SparkDl4jMultiLayer(jsc, conf, master);
                    try {
                        for (int e = 1; e <= epochs; e++) {
                            System.out.println("PROBE epoch " + e + " " + name);
                            network.fit(train);
                            System.out.printf("PROBE epoch %d end driver loss %.4f %s%n", e, driverLoss(network.getNetwork(), all), norms(network.getNetwork()));
                            per.append(String.format(" e%d: workers %.4f driver %.4f", e, network.getScore(),
                                    driverLoss(network.getNetwork(), all)));
                            if (scoreEachEpochSpark) {
                                per.append(String.format(" spark %.4f", network.calculateScore(train, true)));
                            }
                        }
                    } finally {
                        master.deleteTempFiles(jsc);
                        try { org.apache.hadoop.fs.FileSystem.get(jsc.hadoopConfiguration()).delete(new org.apache.hadoop.fs.Path(exportDir), true); } catch (java.io.IOException ex) { throw new RuntimeException(ex); }
                    }
                } else {
                    network = new DistributedTrainer(ts).train(jsc, name, conf, train, trainRows, exportDir).network();
                }
                INDArray out = network.getNetwork().clone().output(all.getFeatures(), false);
                INDArray y = all.getLabels();
                double pPos = out.mul(y).sumNumber().doubleValue() / y.sumNumber().doubleValue();
                double pNeg = out.mul(y.rsub(1)).sumNumber().doubleValue() / y.rsub(1).sumNumber().doubleValue();
                System.out.printf("REPLAY run %d %s: mean p(pos) on positives %.3f, on negatives %.3f%n", run, name, pPos, pNeg);
                INDArray paramsBefore = network.getNetwork().params().dup();
                double afterDriver = driverLoss(network.getNetwork(), all);
                double afterSpark = (Boolean.parseBoolean(prop("sparkScore", "true")) && java.util.Arrays.asList(prop("sparkScoreArchs", name).split(",")).contains(name)) ? network.calculateScore(train, true) : Double.NaN;
                double afterDriver2 = driverLoss(network.getNetwork(), all);
                boolean sameAfterScore = paramsBefore.equals(network.getNetwork().params());
                double afterDriver3 = Double.NaN;
                boolean sameAfterGc = true;
                if (Boolean.parseBoolean(prop("gc", "false"))) {
                    for (int i = 0; i < 3; i++) {
                        System.gc();
                        Thread.sleep(300);
                    }
                    System.out.println("REPLAY gc done, released: " + network.getNetwork().params().wasClosed());
                    afterDriver3 = driverLoss(network.getNetwork(), all);
                    sameAfterGc = paramsBefore.equals(network.getNetwork().params());
                }
                System.out.printf("REPLAY run %d %s: before %.4f |%s | after driver %.4f calculateScore %.4f"
                                + " driver-after-calculateScore %.4f (params same: %s) driver-after-gc %.4f (params same: %s)%n",
                        run, name, before, per, afterDriver, afterSpark, afterDriver2, sameAfterScore, afterDriver3,
                        sameAfterGc);
            }
        }
    }
}
