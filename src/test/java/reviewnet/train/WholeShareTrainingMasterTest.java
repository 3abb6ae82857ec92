package reviewnet.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import reviewnet.testing.SparkTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * How many minibatches an epoch fits: 11 minibatches on 2 workers averaging every 3 make one round (floor(11 / 6)) of
 * 6 and 5 minibatches per worker. DL4J's own master lets each worker fit 3 of them (6 in all: the rest is skipped);
 * {@link WholeShareTrainingMaster} fits all 11.
 */
class WholeShareTrainingMasterTest extends SparkTest {

    static Stream<Arguments> masters() {
        Function<ParameterAveragingTrainingMaster.Builder, ParameterAveragingTrainingMaster> dl4j =
                ParameterAveragingTrainingMaster.Builder::build;
        Function<ParameterAveragingTrainingMaster.Builder, ParameterAveragingTrainingMaster> wholeShare =
                WholeShareTrainingMaster::new;
        return Stream.of(arguments("DL4J's master", dl4j, 6), arguments("WholeShareTrainingMaster", wholeShare, 11));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("masters")
    void fitsEveryMinibatchOfAnEpoch(String name,
                                     Function<ParameterAveragingTrainingMaster.Builder, ParameterAveragingTrainingMaster> of,
                                     int fitted) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<DataSet> minibatches = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            minibatches.add(new DataSet(Nd4j.rand(DataType.FLOAT, 4, 3), Nd4j.rand(DataType.FLOAT, 4, 1).gt(0.5)
                    .castTo(DataType.FLOAT)));
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(0.01)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.SIGMOID)
                        .nIn(3).nOut(1).build())
                .build();
        ParameterAveragingTrainingMaster master = of.apply(new ParameterAveragingTrainingMaster.Builder(2, 4)
                .batchSizePerWorker(4).averagingFrequency(3).rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.NumPartitionsWorkersDiffers).rngSeed(7));
        LongAccumulator count = spark.sparkContext().longAccumulator("fitted minibatches");
        master.addHook(new CountingHook(count));

        new SparkDl4jMultiLayer(jsc, conf, master).fit(jsc.parallelize(minibatches, 2));

        assertEquals(fitted, count.value(), name);
    }

    /** Counts the minibatches the workers fit. */
    record CountingHook(LongAccumulator count) implements TrainingHook {
        @Override
        public void preUpdate(org.nd4j.linalg.dataset.api.DataSet minibatch, Model model) {
        }

        @Override
        public void postUpdate(org.nd4j.linalg.dataset.api.DataSet minibatch, Model model) {
            count.add(1);
        }

        @Override
        public void preUpdate(MultiDataSet minibatch, Model model) {
        }

        @Override
        public void postUpdate(MultiDataSet minibatch, Model model) {
        }
    }
}
