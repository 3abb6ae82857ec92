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
import picocli.CommandLine.Parameters;
import reviewnet.config.JobConfig;
import reviewnet.config.SparkSettings;
import reviewnet.corpus.CorpusException;
import reviewnet.jobs.Job;

/** {@code JOB_FILE [key=value ...]}: loads and validates the settings, then runs the job. Nothing else. */
@Command(name = "reviewnet", mixinStandardHelpOptions = true,
        description = "Runs a reviewnet job (a HOCON file from jobs/) on Spark; key=value arguments override settings.")
public final class Main implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    /** Exit status for invalid settings or input, detected before any output is written. */
    static final int BAD_INPUT = 2;

    @Parameters(index = "0", paramLabel = "JOB_FILE", description = "job definition, e.g. jobs/prepare.conf")
    Path jobFile;

    @Parameters(index = "1..*", paramLabel = "key=value", description = "setting overrides, e.g. "
            + "reviewnet.input.path=/data/aclImdb")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        Config config;
        Job job;
        try {
            config = JobConfig.load(jobFile, overrides);
            job = Job.create(config);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("reviewnet: invalid configuration: " + e.getMessage());
            return BAD_INPUT;
        }
        LOG.info("running job '{}' from {}", config.getString("reviewnet.job"), jobFile);
        try (SparkSession spark = SparkSessions.create(SparkSettings.from(config), job)) {
            job.execute(spark);
        } catch (CorpusException e) {
            System.err.println("reviewnet: bad input: " + e.getMessage());
            return BAD_INPUT;
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
