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
                    network = new SparkDl4jMultiLayer(jsc, conf, master);
                    try {
                        for (int e = 1; e <= epochs; e++) {
                            network.fit(train);
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
