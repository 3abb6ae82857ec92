package reviewnet.nn;

import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.nd4j.linalg.activations.Activation;
import reviewnet.config.ModelSettings;

/** Conv1D(filters, kernel, relu, valid) → MaxPool1D(pool) → Flatten → (the shared Dense(1, sigmoid)). */
public final class ConvArchitecture implements Architecture {
    @Override
    public String name() {
        return "conv";
    }

    @Override
    public List<Layer> body(ModelSettings model) {
        return List.of(convolution(model), pooling(model));
    }

    @Override
    public InputPreProcessor outputPreProcessor(ModelSettings model) {
        return new FlattenPreProcessor(model.filters(), model.pooledLength());
    }

    static Layer convolution(ModelSettings model) {
        return new Convolution1DLayer.Builder().kernelSize(model.kernel()).stride(1).nOut(model.filters())
                .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build();
    }

    static Layer pooling(ModelSettings model) {
        return new Subsampling1DLayer.Builder(PoolingType.MAX).kernelSize(model.pool()).stride(model.pool())
                .convolutionMode(ConvolutionMode.Truncate).build();
    }
}
