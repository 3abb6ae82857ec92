package reviewnet.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.HashSet;
import java.util.List;

/** Where the raw reviews are and how to read them ({@code reviewnet.input}). */
public record InputSettings(String path, Format format, List<String> labels, List<String> splits, long maxBytes,
                            Columns columns, Csv csv) implements Serializable {

    public enum Format { FOLDERS, CSV, JSON, PARQUET }

    /** Column names of tabular input. */
    public record Columns(String id, String text, String label, String split) implements Serializable {
    }

    /** Options of Spark's CSV reader. */
    public record Csv(boolean header, boolean multiLine, String escape) implements Serializable {
        static Csv from(Config csv) {
            return new Csv(csv.getBoolean("header"), csv.getBoolean("multi-line"), csv.getString("escape"));
        }
    }

    public InputSettings {
        labels = List.copyOf(labels);
        splits = List.copyOf(splits);
    }

    public static InputSettings from(Config root) {
        Config c = root.getConfig("reviewnet.input");
        String key = "reviewnet.input.";
        List<String> labels = c.getStringList("labels");
        Settings.require(labels.size() == 2 && new HashSet<>(labels).size() == 2, root, key + "labels",
                "two distinct label names [negative, positive], got " + labels);
        List<String> splits = c.getStringList("splits");
        Settings.require(splits.size() == 2 && new HashSet<>(splits).size() == 2, root, key + "splits",
                "two distinct split names [training, test], got " + splits);
        long maxBytes = c.getBytes("max-bytes");
        Settings.require(maxBytes > 0 && maxBytes < Integer.MAX_VALUE, root, key + "max-bytes",
                "a size between 1 byte and 2 GiB, got " + maxBytes);
        String path = c.getString("path");
        Settings.require(!path.isBlank(), root, key + "path", "a non-empty path");
        Config cols = c.getConfig("columns");
        Config csv = c.getConfig("csv");
        return new InputSettings(path, Settings.enumValue(root, key + "format", Format.class), labels, splits, maxBytes,
                new Columns(cols.getString("id"), cols.getString("text"), cols.getString("label"),
                        cols.getString("split")),
                Csv.from(csv));
    }

    public String trainSplit() {
        return splits.get(0);
    }

    public String testSplit() {
        return splits.get(1);
    }
}
