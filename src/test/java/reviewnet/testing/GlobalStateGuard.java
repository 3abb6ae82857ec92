package reviewnet.testing;

import java.util.Properties;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Registered for every test class (META-INF/services, junit-platform.properties): fails a class that leaves ND4J's
 * default data types or a system property different from what it found, after putting them back, so that no test
 * depends on the order in which classes run.
 */
public final class GlobalStateGuard implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(GlobalStateGuard.class);

    private record State(DataType dataType, DataType floatType, Properties properties) {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("state", new State(Nd4j.dataType(), Nd4j.defaultFloatingPointType(),
                (Properties) System.getProperties().clone()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        State before = context.getStore(NS).get("state", State.class);
        StringBuilder changed = new StringBuilder();
        if (Nd4j.dataType() != before.dataType() || Nd4j.defaultFloatingPointType() != before.floatType()) {
            changed.append(String.format(" ND4J default data types %s/%s (found %s/%s);", Nd4j.dataType(),
                    Nd4j.defaultFloatingPointType(), before.dataType(), before.floatType()));
            Nd4j.setDefaultDataTypes(before.dataType(), before.floatType());
        }
        // system properties: any property the class found and changed or removed, and any new reviewnet.* one
        // (libraries the tests start, e.g. Spark's Jetty or JavaCPP, add their own: not the tests' doing)
        Properties now = System.getProperties();
        for (String name : before.properties().stringPropertyNames()) {
            String was = before.properties().getProperty(name);
            String is = now.getProperty(name);
            // Spark's and Hadoop's shaded Jettys each write jetty.git.hash when first loaded
            if (!was.equals(is) && !name.startsWith("spark.") && !name.startsWith("jetty.")) {
                changed.append(" system property ").append(name).append('=').append(is).append(" (found ")
                        .append(was).append(");");
            }
        }
        for (String name : now.stringPropertyNames()) {
            if (name.startsWith("reviewnet") && before.properties().getProperty(name) == null) {
                changed.append(" system property ").append(name).append('=').append(now.getProperty(name))
                        .append(" (found none);");
            }
        }
        if (changed.length() > 0) {
            throw new AssertionError(context.getDisplayName() + " left global state changed:" + changed);
        }
    }
}
