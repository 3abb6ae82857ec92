package reviewnet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reviewnet.bench.ResourceMonitor;
import reviewnet.config.JobConfig;
import reviewnet.config.SparkSettings;
import reviewnet.corpus.CorpusException;
import reviewnet.jobs.Job;
import reviewnet.spark.SparkSessions;

/** {@code JOB_FILE [key=value ...]}: loads and validates the settings, then runs the job. Nothing else. */
@Command(name = "reviewnet", mixinStandardHelpOptions = true,
        description = "Runs a reviewnet job (a HOCON file from jobs/) on Spark; key=value arguments override settings.")
public final class Main implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    /** Exit status for invalid settings or input, detected before any output is written. */
    static final int BAD_INPUT = 2;
    /** Exit status when another run holds the model registry. */
    static final int LOCKED = 3;

    /** The Spark property that carries a resolved configuration to a driver started on the cluster. */
    public static final String CONFIG_PROPERTY = "spark.reviewnet.config";

    @Parameters(index = "0", paramLabel = "JOB_FILE", description = "job definition, e.g. jobs/prepare.conf; '-' "
            + "reads the resolved configuration from the Spark property " + CONFIG_PROPERTY + " (cluster deploy mode)")
    String jobFile;

    @Option(names = "--resolve", description = "print the resolved, validated configuration (JSON) and exit")
    boolean resolve;

    @Parameters(index = "1..*", paramLabel = "key=value", description = "setting overrides, e.g. "
            + "reviewnet.input.path=/data/aclImdb")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        Config config;
        Job job;
        try {
            config = jobFile.equals("-") ? JobConfig.fromProperty(CONFIG_PROPERTY, overrides)
                    : JobConfig.load(Path.of(jobFile), overrides);
            job = Job.create(config);
            if (resolve) {
                System.out.println(config.getConfig(JobConfig.ROOT).atKey(JobConfig.ROOT).root()
                        .render(com.typesafe.config.ConfigRenderOptions.concise()));
                return 0;
            }
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("reviewnet: invalid configuration: " + e.getMessage());
            return BAD_INPUT;
        }
        String name = config.getString("reviewnet.job");
        LOG.info("running job '{}' from {}", name, jobFile);
        try (SparkSession spark = SparkSessions.create(SparkSettings.from(config), job);
             ResourceMonitor resources = ResourceMonitor.start().watch(spark.sparkContext())) {
            job.execute(spark);
            LOG.info(resources.report(name, spark.sparkContext()));
        } catch (CorpusException e) {
            System.err.println("reviewnet: bad input: " + e.getMessage());
            return BAD_INPUT;
        } catch (SparkSessions.ClusterException e) {
            System.err.println("reviewnet: cluster problem: " + e.getMessage());
            return BAD_INPUT;
        } catch (reviewnet.registry.RegistryLock.LockedException e) {
            System.err.println("reviewnet: " + e.getMessage());
            return LOCKED;
        }
        return 0;
    }

    public static void main(String[] args) {
        int status = new CommandLine(new Main()).execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }
}
