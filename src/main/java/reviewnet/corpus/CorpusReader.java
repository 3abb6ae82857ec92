package reviewnet.corpus;

import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import reviewnet.config.InputSettings;

/** Reads a corpus into rows of {@link ReviewSchema#RAW}. Structural problems are a {@link CorpusException}. */
public interface CorpusReader {

    Dataset<Row> read(SparkSession spark);

    /**
     * Checks the input's structure and lists its files (path, length, modification time) without reading them: the
     * fingerprint's input. A later {@link #read} reads what was listed (folders) or where it was listed (tabular).
     */
    List<FileStatus> list(SparkSession spark);

    /** Files under the input that were not read by design (e.g. not *.txt), for the summary. */
    default long ignoredFiles() {
        return 0;
    }

    static CorpusReader of(InputSettings input) {
        return switch (input.format()) {
            case FOLDERS -> new FolderCorpusReader(input);
            case CSV, JSON, PARQUET -> new TabularCorpusReader(input);
        };
    }
}
