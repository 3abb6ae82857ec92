package reviewnet.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.PrepareSettings;

/**
 * The prepared dataset a training job reads: reused when {@code summary.json} under {@code reviewnet.prepared.path}
 * carries the fingerprint of the current input listing and settings, rebuilt by {@link PrepareJob} otherwise.
 */
public record PreparedData(String path, String fingerprint, long trainRows, long testRows, boolean reused) {
    private static final Logger LOG = LoggerFactory.getLogger(PreparedData.class);

    public String train() {
        return new Path(path, PrepareJob.TRAIN).toString();
    }

    public String test() {
        return new Path(path, PrepareJob.TEST).toString();
    }

    public String vocabulary() {
        return new Path(path, PrepareJob.VOCABULARY).toString();
    }

    public static PreparedData ensure(SparkSession spark, PrepareSettings settings) {
        PrepareJob job = new PrepareJob(settings);
        PrepareJob.Listed listed = job.list(spark);
        String wanted = listed.fingerprint();
        Path dir = new Path(settings.paths().prepared());
        Path summaryPath = new Path(dir, PrepareJob.SUMMARY);
        try {
            FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(summaryPath)) {
                JsonNode summary = PrepareSummary.read(fs, summaryPath);
                if (wanted.equals(summary.path("fingerprint").asText())) {
                    LOG.info("reusing the prepared data in {} (fingerprint {})", dir, wanted);
                    return of(fs.makeQualified(dir).toString(), summary, true);
                }
                LOG.info("the prepared data in {} is out of date (input or settings changed): preparing again", dir);
            }
            job.run(spark, listed);
            return of(fs.makeQualified(dir).toString(), PrepareSummary.read(fs, summaryPath), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the prepared data in " + dir, e);
        }
    }

    private static PreparedData of(String path, JsonNode summary, boolean reused) {
        JsonNode splits = summary.path("splits");
        return new PreparedData(path, summary.path("fingerprint").asText(),
                splits.path(PrepareJob.TRAIN).path("rows").asLong(), splits.path(PrepareJob.TEST).path("rows").asLong(),
                reused);
    }
}
