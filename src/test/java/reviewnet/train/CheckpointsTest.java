package reviewnet.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints record the data and settings they were trained on and are resumed for nothing else. */
class CheckpointsTest {
    @TempDir
    Path tmp;

    static final Map<String, String> SETTINGS = Map.of("epochs", "2", "learning_rate", "0.001");

    static MultiLayerNetwork network() {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.SIGMOID)
                        .nIn(3).nOut(1).build())
                .build());
        network.init();
        return network;
    }

    Checkpoints checkpointsAfterOneEpoch() {
        Checkpoints checkpoints = new Checkpoints(tmp.resolve("ckpt").toString(), new Configuration());
        checkpoints.bind(new Checkpoints.Identity("data-a", SETTINGS));
        checkpoints.save(1, network());
        return checkpoints;
    }

    @Test
    void resumesForTheSameDataAndSettings() {
        checkpointsAfterOneEpoch();
        Checkpoints again = new Checkpoints(tmp.resolve("ckpt").toString(), new Configuration());
        again.bind(new Checkpoints.Identity("data-a", Map.of("learning_rate", "0.001", "epochs", "2")));
        assertEquals(1, again.lastEpoch());
        assertEquals(network().params(), again.restore(1).params());
    }

    @Test
    void refusesOtherData() {
        checkpointsAfterOneEpoch();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Checkpoints(
                tmp.resolve("ckpt").toString(), new Configuration()).bind(new Checkpoints.Identity("data-b", SETTINGS)));
        assertTrue(e.getMessage().contains("refusing to resume") && e.getMessage().contains("data fingerprint data-a -> data-b"),
                e.getMessage());
    }

    @Test
    void refusesOtherSettings() {
        checkpointsAfterOneEpoch();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Checkpoints(
                tmp.resolve("ckpt").toString(), new Configuration()).bind(new Checkpoints.Identity("data-a",
                Map.of("epochs", "3", "learning_rate", "0.001"))));
        assertTrue(e.getMessage().contains("epochs 2 -> 3"), e.getMessage());
    }

    @Test
    void refusesCheckpointsThatDoNotSayWhatTheyWereTrainedOn() throws Exception {
        checkpointsAfterOneEpoch();
        Files.delete(tmp.resolve("ckpt/identity.json"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Checkpoints(
                tmp.resolve("ckpt").toString(), new Configuration()).bind(new Checkpoints.Identity("data-a", SETTINGS)));
        assertTrue(e.getMessage().contains("do not record the data and settings"), e.getMessage());
    }

    @Test
    void aFolderWithoutCheckpointsIsRebound() {
        Checkpoints checkpoints = new Checkpoints(tmp.resolve("ckpt").toString(), new Configuration());
        checkpoints.bind(new Checkpoints.Identity("data-a", SETTINGS));
        checkpoints.bind(new Checkpoints.Identity("data-b", SETTINGS)); // nothing trained yet: nothing to mix
        checkpoints.save(1, network());
        assertThrows(IllegalStateException.class, () -> checkpoints.bind(new Checkpoints.Identity("data-a", SETTINGS)));
    }

    /**
     * With validation: each epoch's history is saved with it, a resumed run reads back only the epochs up to the
     * checkpoint it resumes (a later entry of a killed save is ignored), and the best epoch's network is kept.
     */
    @Test
    void keepsTheValidationHistoryAndTheBestEpoch() {
        Checkpoints checkpoints = new Checkpoints(tmp.resolve("ckpt").toString(), new Configuration());
        checkpoints.bind(new Checkpoints.Identity("data-a", SETTINGS));
        var e1 = new DistributedTrainer.EpochScore(1, 0.40, 0.80);
        var e2 = new DistributedTrainer.EpochScore(2, 0.30, 0.85);
        var e3 = new DistributedTrainer.EpochScore(3, 0.35, 0.84);
        var e4 = new DistributedTrainer.EpochScore(4, 0.36, 0.84);
        checkpoints.save(1, network(), java.util.List.of(e1), 1);
        checkpoints.save(2, network(), java.util.List.of(e1, e2), 2);
        checkpoints.save(3, network(), java.util.List.of(e1, e2, e3), 2);
        assertEquals(java.util.List.of(e1, e2, e3), checkpoints.history(3));
        assertEquals(java.util.List.of(e1, e2), checkpoints.history(2));
        assertTrue(Files.exists(tmp.resolve("ckpt/epoch-2.zip")), "the best epoch is kept");
        assertTrue(Files.exists(tmp.resolve("ckpt/epoch-3.zip")));
        assertTrue(!Files.exists(tmp.resolve("ckpt/epoch-1.zip")), "other epochs are deleted");
        checkpoints.save(4, network(), java.util.List.of(e1, e2, e3, e4), 2);
        assertTrue(Files.exists(tmp.resolve("ckpt/epoch-2.zip")) && !Files.exists(tmp.resolve("ckpt/epoch-3.zip")));
        assertEquals(4, checkpoints.lastEpoch());
    }
}
