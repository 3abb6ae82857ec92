package reviewnet.jobs;

/** The version of this build (the jar manifest's Implementation-Version; "dev" when run from classes). */
final class CodeVersion {
    private CodeVersion() {
    }

    static String current() {
        String version = CodeVersion.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
