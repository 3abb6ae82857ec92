package reviewnet.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import reviewnet.config.InputSettings;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;

/**
 * Reads reviews from CSV, JSON or Parquet with configurable text, label, split and (optional) id columns (ids:
 * {@link ReviewIds}, the same whatever the partitioning). Records
 * with an unknown split or label, or an empty or oversized text, are kept as skipped rows with their reason.
 * Unlabelled (for predict): only the text and id columns are read; split and label are null.
 */
public final class TabularCorpusReader implements CorpusReader {
    private final InputSettings input;
    private final boolean labelled;
    private final List<FileStatus> listing = new ArrayList<>();

    public TabularCorpusReader(InputSettings input) {
        this(input, true);
    }

    private TabularCorpusReader(InputSettings input, boolean labelled) {
        this.input = input;
        this.labelled = labelled;
    }

    /** Reviews without labels or splits (text and optional id columns), read as for training otherwise. */
    public static TabularCorpusReader unlabelled(InputSettings input) {
        return new TabularCorpusReader(input, false);
    }

    @Override
    public Dataset<Row> read(SparkSession spark) {
        if (listing.isEmpty()) {
            listFiles(spark);
        }
        Dataset<Row> table;
        try {
            DataFrameReader reader = spark.read();
            table = switch (input.format()) {
                case CSV -> reader.option("header", input.csv().header())
                        .option("multiLine", input.csv().multiLine())
                        .option("escape", input.csv().escape())
                        .csv(input.path());
                case JSON -> reader.json(input.path());
                case PARQUET -> reader.parquet(input.path());
                case FOLDERS -> throw new IllegalArgumentException("folders is not a tabular format");
            };
        } catch (Exception e) {
            if (!(e instanceof org.apache.spark.sql.AnalysisException)) {
                throw e;
            }
            throw new CorpusException("cannot read " + input.format().name().toLowerCase() + " input "
                    + input.path() + ": " + e.getMessage(), e);
        }
        InputSettings.Columns c = input.columns();
        List<String> present = Arrays.asList(table.columns());
        List<String> missing = new ArrayList<>();
        for (String required : labelled ? List.of(c.text(), c.label(), c.split()) : List.of(c.text())) {
            if (!present.contains(required)) {
                missing.add(required);
            }
        }
        if (!missing.isEmpty()) {
            throw new CorpusException("input " + input.path() + " has no column(s) " + missing + "; it has "
                    + present + (labelled ? " (set reviewnet.input.columns.text/label/split)"
                    : " (set reviewnet.predict.input.text-column)"));
        }
        boolean givenIds = present.contains(c.id());
        if (givenIds) {
            ReviewIds.requireUsable(table, c.id(), input.path());
        }
        InputSettings in = input;
        Column nothing = lit(null).cast(DataTypes.StringType);
        boolean withLabels = labelled;
        Dataset<Row> reviews = table.select(givenIds ? col(c.id()).cast(DataTypes.StringType).as("id")
                        : nothing.as("id"),
                labelled ? col(c.split()).cast(DataTypes.StringType).as("split") : nothing.as("split"),
                labelled ? col(c.label()).cast(DataTypes.StringType).as("label") : nothing.as("label"),
                input_file_name().as("source"), col(c.text()).cast(DataTypes.StringType).as("text"));
        if (!givenIds) {
            reviews = ReviewIds.derive(reviews, labelled);
        }
        return reviews.map((MapFunction<Row, Row>) r -> toRaw(r, in, withLabels), Encoders.row(ReviewSchema.RAW));
    }

    @Override
    public List<FileStatus> list(SparkSession spark) {
        listFiles(spark);
        return List.copyOf(listing);
    }

    private void listFiles(SparkSession spark) {
        listing.clear();
        Path path = new Path(input.path());
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(path)) {
                throw new CorpusException("input path " + fs.makeQualified(path) + " does not exist; expected a "
                        + input.format().name().toLowerCase() + " file or a directory of them");
            }
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(path, true);
            while (files.hasNext()) {
                LocatedFileStatus file = files.next();
                String name = file.getPath().getName();
                if (!name.startsWith(".") && !name.startsWith("_")) {
                    listing.add(file);
                }
            }
        } catch (IOException e) {
            throw new CorpusException("cannot list input path " + input.path() + ": " + e.getMessage(), e);
        }
    }

    static Row toRaw(Row r, InputSettings in, boolean labelled) {
        String id = r.isNullAt(0) ? "" : r.getString(0);
        String split = r.getString(1);
        String labelValue = r.getString(2);
        String source = r.getString(3);
        String text = r.getString(4);
        Integer label = labelled ? labelIndex(labelValue, in.labels()) : null;
        SkipReason.Skip reason = null;
        if (labelled && (split == null || !in.splits().contains(split))) {
            reason = SkipReason.UNKNOWN_SPLIT.because("'" + split + "': expected one of " + in.splits());
        } else if (labelled && label == null) {
            reason = SkipReason.UNKNOWN_LABEL.because("'" + labelValue + "': expected one of " + in.labels()
                    + " or 0, 1");
        } else if (text == null || text.isBlank()) {
            reason = SkipReason.EMPTY_TEXT.because(text == null ? "no text" : "whitespace only");
        } else {
            long bytes = text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > in.maxBytes()) {
                reason = ReviewDecoder.tooLarge(bytes, in.maxBytes());
            }
        }
        boolean bom = text != null && text.startsWith("\uFEFF");
        if (bom) {
            text = text.substring(1);
        }
        return ReviewSchema.raw(id.isEmpty() ? source : id, split, label, null, source,
                reason == null ? text : null, reason, bom);
    }

    static Integer labelIndex(String value, List<String> labels) {
        if (value == null) {
            return null;
        }
        int byName = labels.indexOf(value.trim());
        if (byName >= 0) {
            return byName;
        }
        return switch (value.trim()) {
            case "0", "0.0" -> 0;
            case "1", "1.0" -> 1;
            default -> null;
        };
    }
}
