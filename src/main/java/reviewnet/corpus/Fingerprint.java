package reviewnet.corpus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;

/**
 * Identifies one version of a corpus and of the settings applied to it: SHA-256 over the settings and every input
 * file's path, length and modification time (in path order). Any added, removed or rewritten file, or any changed
 * setting, changes it; contents are not read.
 */
public final class Fingerprint {
    private Fingerprint() {
    }

    public static String of(List<FileStatus> files, String settings) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(settings.getBytes(StandardCharsets.UTF_8));
            files.stream().sorted(Comparator.comparing(f -> f.getPath().toString())).forEach(f ->
                    sha.update(("\n" + f.getPath() + "\t" + f.getLen() + "\t" + f.getModificationTime())
                            .getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
