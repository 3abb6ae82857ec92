package reviewnet.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link FloatKernels}' tanh and logistic function against {@link Math} (in double) over their whole float range. */
class FloatKernelsTest {

    @Test
    void tanhAndSigmoidAreAccurateToAFewUlpEverywhere() {
        int count = 400_001;   // a step of 1e-4
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = -20f + 40f * i / (count - 1);
        }
        float[] t = x.clone();
        float[] s = x.clone();
        FloatKernels.tanh(t, 0, count);
        FloatKernels.sigmoid(s, 0, count);
        double maxT = 0;
        double maxS = 0;
        for (int i = 0; i < count; i++) {
            maxT = Math.max(maxT, Math.abs(t[i] - Math.tanh(x[i])));
            maxS = Math.max(maxS, Math.abs(s[i] - 1 / (1 + Math.exp(-x[i]))));
            assertTrue(Math.abs(t[i]) <= 1f && s[i] >= 0f && s[i] <= 1f, "out of range at " + x[i]);
        }
        assertTrue(maxT < 2e-7, "tanh: max abs error " + maxT);
        assertTrue(maxS < 1e-7, "sigmoid: max abs error " + maxS);
    }

    @ParameterizedTest
    @CsvSource({
            // x, tanh(x), sigmoid(x)
            "0, 0, 0.5",
            "1e-6, 1e-6, 0.50000025",
            "Infinity, 1, 1",
            "-Infinity, -1, 0",
            "100, 1, 1",
            "-100, -1, 0"})
    void specialValues(float x, float tanh, float sigmoid) {
        float[] t = {x};
        float[] s = {x};
        FloatKernels.tanh(t, 0, 1);
        FloatKernels.sigmoid(s, 0, 1);
        assertEquals(tanh, t[0], 1e-12f);
        assertEquals(sigmoid, s[0], 1e-7f);
    }

    @Test
    void notANumberStaysNotANumber() {
        float[] a = {Float.NaN, Float.NaN};
        FloatKernels.tanh(a, 0, 1);
        FloatKernels.sigmoid(a, 1, 2);
        assertTrue(Float.isNaN(a[0]) && Float.isNaN(a[1]));
    }
}
