package reviewnet.bench;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RESOURCES line: what the heap figures mean, checked against memory this test holds on purpose. */
class ResourceMonitorTest {
    static Map<String, String> fields(String line) {
        Map<String, String> out = new HashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return out;
    }

    @Test
    void liveHeapCountsWhatSurvivesACollectionAndNeverExceedsThePeakOrTheMaximum() throws Exception {
        Map<String, String> report;
        byte[][] held = new byte[96][];
        try (ResourceMonitor monitor = ResourceMonitor.start()) {
            for (int i = 0; i < held.length; i++) {
                held[i] = new byte[1024 * 1024];    // 96 MB, reachable until the assertions below
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            do {
                System.gc();
                Thread.sleep(100);  // GC notifications arrive on their own thread
                report = fields(monitor.report("test", null));
            } while (Long.parseLong(report.get("driver_live_heap_peak_mb")) < 96 && System.nanoTime() < deadline);
        }
        assertEquals(held.length, Arrays.stream(held).filter(a -> a.length == 1024 * 1024).count());
        long live = Long.parseLong(report.get("driver_live_heap_peak_mb"));
        long peak = Long.parseLong(report.get("driver_heap_peak_mb"));
        long max = Long.parseLong(report.get("driver_heap_max_mb"));
        assertEquals("test", report.get("job"));
        assertEquals("?", report.get("executor_heap_peak_mb"), "no Spark context, no executor figure");
        assertTrue(live >= 96, "the 96 MB held survive every collection: live peak " + live + " MB");
        assertTrue(peak >= live, "peak " + peak + " MB >= live peak " + live + " MB");
        assertTrue(peak <= max, "peak " + peak + " MB <= maximum heap " + max + " MB");
    }
}
