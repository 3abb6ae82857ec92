package reviewnet.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.ExecutorMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.status.api.v1.ExecutorSummary;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * What one job costs in memory and output, for the scale benchmark ({@code submit-scripts/bench-scale.sh}), logged as
 * one {@code RESOURCES} line when the job ends:
 * <ul>
 *   <li>{@code driver_heap_peak_mb}: the driver JVM's largest heap in use, i.e. the largest total right before a
 *   garbage collection (or at the end); it grows towards -Xmx whenever the collector is lazy;</li>
 *   <li>{@code driver_live_heap_peak_mb}: the largest heap still in use right after a garbage collection: what the
 *   driver actually holds, the number that must stay flat as the corpus grows;</li>
 *   <li>{@code executor_heap_peak_mb}: the largest executor JVM heap Spark's executor metrics saw (on a local master
 *   the executors are threads of the driver JVM: then this is the driver's);</li>
 *   <li>{@code task_bytes_written}: bytes Spark's tasks wrote through output formats (Parquet);
 *   {@code driver_fs_bytes_written}: bytes written through Hadoop file systems by this JVM (on a local master that
 *   includes the executors' writes, e.g. exported minibatches).</li>
 * </ul>
 */
public final class ResourceMonitor implements AutoCloseable {
    private final long start = System.nanoTime();
    private final AtomicLong livePeak = new AtomicLong();
    private final AtomicLong usedPeak = new AtomicLong();
    private final LongAdder taskBytesWritten = new LongAdder();
    private final List<Runnable> detach = new ArrayList<>();
    private final long fsBytesBefore = fsBytesWritten();

    private ResourceMonitor() {
        NotificationListener listener = this::afterGc;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                detach.add(() -> {
                    try {
                        emitter.removeNotificationListener(listener);
                    } catch (javax.management.ListenerNotFoundException e) {
                        // already gone
                    }
                });
            }
        }
    }

    public static ResourceMonitor start() {
        return new ResourceMonitor();
    }

    /** Counts the bytes the tasks of {@code sc} write from now on. */
    public ResourceMonitor watch(SparkContext sc) {
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskMetrics() != null) {
                    taskBytesWritten.add(end.taskMetrics().outputMetrics().bytesWritten());
                }
            }
        };
        sc.addSparkListener(listener);
        detach.add(() -> sc.removeSparkListener(listener));
        return this;
    }

    private void afterGc(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        usedPeak.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
        livePeak.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
    }

    /** The heap pools' total in a GC's usage map, which lists non-heap pools (metaspace, code cache) too. */
    private static long heapUsed(Map<String, MemoryUsage> usage) {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage pooled = pool.getType() == MemoryType.HEAP ? usage.get(pool.getName()) : null;
            if (pooled != null) {
                used += pooled.getUsed();
            }
        }
        return used;
    }

    private long heapPeak() {
        return Math.max(usedPeak.get(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    private static long fsBytesWritten() {
        long bytes = 0;
        for (org.apache.hadoop.fs.FileSystem.Statistics s : org.apache.hadoop.fs.FileSystem.getAllStatistics()) {
            bytes += s.getBytesWritten();
        }
        return bytes;
    }

    /** The largest JVM heap of any executor (driver excluded unless it is the only one: a local master). */
    private static long executorHeapPeak(SparkContext sc) {
        long peak = -1;
        List<ExecutorSummary> executors = JavaConverters.seqAsJavaList(sc.statusStore().executorList(false));
        boolean local = sc.isLocal();
        for (ExecutorSummary e : executors) {
            if (!local && e.id().equals("driver")) {
                continue;
            }
            Option<ExecutorMetrics> metrics = e.peakMemoryMetrics();
            if (metrics.isDefined()) {
                peak = Math.max(peak, metrics.get().getMetricValue("JVMHeapMemory"));
            }
        }
        return peak;
    }

    /** The RESOURCES line of a job; {@code sc} may be null (then no executor figure). */
    public String report(String job, SparkContext sc) {
        long executorPeak = sc == null || sc.isStopped() ? -1 : executorHeapPeak(sc);
        return String.format(Locale.ROOT, "RESOURCES job=%s seconds=%.1f driver_heap_peak_mb=%d "
                        + "driver_live_heap_peak_mb=%d driver_heap_max_mb=%d executor_heap_peak_mb=%s "
                        + "task_bytes_written=%d driver_fs_bytes_written=%d",
                job, (System.nanoTime() - start) / 1e9, mb(heapPeak()), mb(livePeak.get()),
                mb(Runtime.getRuntime().maxMemory()), executorPeak < 0 ? "?" : Long.toString(mb(executorPeak)),
                taskBytesWritten.sum(), fsBytesWritten() - fsBytesBefore);
    }

    private static long mb(long bytes) {
        return bytes / (1024 * 1024);
    }

    @Override
    public void close() {
        detach.forEach(Runnable::run);
    }
}
