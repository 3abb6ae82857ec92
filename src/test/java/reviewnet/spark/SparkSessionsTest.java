package reviewnet.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reviewnet.config.JobConfig;
import reviewnet.config.SparkSettings;

/** What a job's Spark session exposes: loopback only on a local master, no kill links anywhere. */
class SparkSessionsTest {

    /**
     * Rows: (master, a setting the operator made or '-', SPARK_LOCAL_IP or '-') → (driver bind address, UI enabled,
     * kill links enabled).
     */
    @ParameterizedTest(name = "{0}, set {1}, SPARK_LOCAL_IP {2}")
    @CsvSource({
            "local[2],     -,                               -,         127.0.0.1, false, false",
            "local[2],     -,                               127.0.0.1, 127.0.0.1, -,     false",
            "local[*],     -,                               10.0.0.7,  10.0.0.7,  -,     false",
            "local[2],     spark.driver.bindAddress=0.0.0.0, -,        0.0.0.0,   false, false",
            "local[2],     spark.ui.enabled=true,           -,         127.0.0.1, true,  false",
            "local[2],     spark.ui.killEnabled=true,       -,         127.0.0.1, false, true",
            "spark://m:7077, -,                             -,         -,         -,     false",
            "yarn,         -,                               -,         -,         -,     false"})
    void exposureFollowsTheMasterAndTheOperatorsSettings(String master, String preset, String localIp,
                                                         String bindAddress, String uiEnabled, String killEnabled) {
        SparkConf conf = new SparkConf(false).setMaster(master);
        if (!preset.equals("-")) {
            String[] kv = preset.split("=", 2);
            conf.set(kv[0], kv[1]);
        }
        SparkSessions.exposure(conf, localIp.equals("-") ? null : localIp);
        assertEquals(bindAddress, conf.get("spark.driver.bindAddress", "-"));
        assertEquals(uiEnabled, conf.get("spark.ui.enabled", "-"));
        assertEquals(killEnabled, conf.get("spark.ui.killEnabled", "-"));
    }

    /** A real local session (as Main starts it) opens no listening socket outside loopback. */
    @Test
    void aLocalJobSessionListensOnLoopbackOnly() throws IOException {
        Set<String> before = listeners();
        SparkSettings settings = SparkSettings.from(JobConfig.resolve(ConfigFactory.parseString(
                "reviewnet.spark.master = \"local[1]\"")));
        try (SparkSession spark = SparkSessions.create(settings, s -> { })) {
            assertEquals(1L, spark.range(1).count());
            Set<String> opened = new HashSet<>(listeners());
            opened.removeAll(before);
            assertFalse(opened.isEmpty(), "the driver listens on something (its RPC and block manager ports)");
            for (String address : opened) {
                assertTrue(loopback(address), "listening on " + address + " (all new listeners: " + opened + ")");
            }
            assertEquals("false", spark.sparkContext().getConf().get("spark.ui.killEnabled"));
        }
    }

    /** This JVM's listening TCP sockets as "hex address:hex port" of /proc/net/tcp and tcp6. */
    static Set<String> listeners() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        Set<String> listening = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
                    listening.add(f[1]);
                }
            }
        }
        return listening;
    }

    /** 127.0.0.0/8 (IPv4, or IPv4-mapped IPv6) or ::1, in /proc/net's little-endian hex. */
    static boolean loopback(String hexAddressPort) {
        String address = hexAddressPort.substring(0, hexAddressPort.indexOf(':'));
        String ipv4 = address.length() == 8 ? address
                : address.startsWith("0000000000000000FFFF0000") ? address.substring(24) : null;
        if (ipv4 != null) {
            return ipv4.endsWith("7F"); // the first octet is the last byte
        }
        return address.equals("00000000000000000000000001000000");
    }
}
