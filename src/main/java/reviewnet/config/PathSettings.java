package reviewnet.config;

import com.typesafe.config.Config;

/** Output locations ({@code reviewnet.prepared.path}, {@code reviewnet.output.path}). */
public record PathSettings(String prepared, String output) {

    public static PathSettings from(Config root) {
        String prepared = root.getString("reviewnet.prepared.path");
        String output = root.getString("reviewnet.output.path");
        Settings.require(!prepared.isBlank(), root, "reviewnet.prepared.path", "a non-empty path");
        Settings.require(!output.isBlank(), root, "reviewnet.output.path", "a non-empty path");
        return new PathSettings(prepared, output);
    }
}
