package reviewnet.nn.embedding;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The row gather and scatter-add of the embedding layers, as loops over the arrays' buffers: between a table W (or its
 * gradient) [nIn, n] and per-index rows [mb, T, n] of activations (or their gradient), index r = i·T + t of
 * {@link EmbeddingIndices} naming row idx[r] of the table.
 * <p>
 * Values are read as doubles and stored rounded to the buffer's type; a product is rounded as the type multiplies
 * ({@link Buffer#multiply}). For FLOAT data a sum computed in double and then rounded equals the float sum, so every
 * result is what float arithmetic gives.
 */
final class EmbeddingRows {

    private EmbeddingRows() {
    }

    /** The table: element (v, j) at {@code v·s0 + j·s1}. */
    record Table(Buffer b, int s0, int s1) {
        static Table of(INDArray a) {
            return new Table(Buffer.of(a), (int) a.stride(0), (int) a.stride(1));
        }
    }

    /** Per-index rows: element (i, t, j) at {@code i·s0 + t·sT + j}. */
    record Steps(Buffer b, int s0, int sT) {
    }

    /**
     * out(i, t, j) = W[idx[r], j] · scale[r] (or, with {@code accumulate}, +=), for every r (scale null: 1; index 0
     * skipped when {@code skipPadding}), in the order of r, then j. A row of W with unit stride is copied in bulk.
     */
    static void gather(Table w, EmbeddingIndices ix, double[] scale, boolean skipPadding, Steps out, int n,
                       boolean accumulate) {
        boolean bulk = scale == null && !accumulate && w.s1 == 1;
        for (int i = 0, r = 0; i < ix.mb; i++) {
            for (int t = 0; t < ix.tLen; t++, r++) {
                int v = ix.idx[r];
                if (skipPadding && v == 0) {
                    continue;
                }
                int o = i * out.s0 + t * out.sT;
                int src = v * w.s0;
                if (bulk) {
                    out.b.copy(o, w.b, src, n);
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    double x = w.b.get(src + j * w.s1);
                    double value = scale == null ? x : out.b.multiply(x, scale[r]);
                    if (accumulate) {
                        out.b.add(o + j, value);
                    } else {
                        out.b.set(o + j, value);
                    }
                }
            }
        }
    }

    /**
     * G[idx[r], j] += eps(i, t, j) · scale[r] for every r (scale null: 1; index 0 skipped when {@code skipPadding}), in
     * the order of r, then j; the product in the type of eps.
     */
    static void scatterAdd(Steps eps, EmbeddingIndices ix, double[] scale, boolean skipPadding, Table g, int n) {
        for (int i = 0, r = 0; i < ix.mb; i++) {
            for (int t = 0; t < ix.tLen; t++, r++) {
                int v = ix.idx[r];
                if (skipPadding && v == 0) {
                    continue;
                }
                int e = i * eps.s0 + t * eps.sT;
                int dst = v * g.s0;
                for (int j = 0; j < n; j++) {
                    double x = eps.b.get(e + j);
                    g.b.add(dst + j * g.s1, scale == null ? x : eps.b.multiply(x, scale[r]));
                }
            }
        }
    }

    /** Zeroes an array: one memset when its elements are contiguous (a gradient view is), else assign(0). */
    static void zero(INDArray a) {
        boolean contiguous = (a.ordering() == 'f' && a.stride(0) == 1 && a.stride(1) == a.size(0))
                || (a.ordering() == 'c' && a.stride(1) == 1 && a.stride(0) == a.size(1));
        if (contiguous) {
            Pointer.memset(a.data().addressPointer(), 0, a.length() * a.data().getElementSize());
        } else {
            a.assign(0);
        }
    }

    /** A FLOAT or DOUBLE buffer (index 0 = the array's first element), read and written in doubles. */
    static final class Buffer {
        /** One of the two: the FLOAT buffer, or null and the DOUBLE one. */
        private final FloatBuffer f;
        private final DoubleBuffer d;

        private Buffer(FloatBuffer f, DoubleBuffer d) {
            this.f = f;
            this.d = d;
        }

        static Buffer of(INDArray a) {
            if (a.dataType() == DataType.FLOAT) {
                return new Buffer(a.data().asNioFloat().slice(), null);
            }
            return new Buffer(null, a.data().asNioDouble().slice());
        }

        static Buffer of(double[] a) {
            return new Buffer(null, DoubleBuffer.wrap(a));
        }

        double get(int k) {
            return f != null ? f.get(k) : d.get(k);
        }

        /** Stores {@code value} rounded to the buffer's type. */
        void set(int k, double value) {
            if (f != null) {
                f.put(k, (float) value);
            } else {
                d.put(k, value);
            }
        }

        /** b[k] += value, the sum rounded to the buffer's type. */
        void add(int k, double value) {
            set(k, get(k) + value);
        }

        /** x · y as the buffer's type multiplies (FLOAT: both factors rounded to float, then the product). */
        double multiply(double x, double y) {
            return f != null ? (float) x * (float) y : x * y;
        }

        /** this[to, to + n) = src[from, from + n), src of the same type. */
        void copy(int to, Buffer src, int from, int n) {
            if (f != null) {
                f.put(to, src.f, from, n);
            } else {
                d.put(to, src.d, from, n);
            }
        }
    }
}
