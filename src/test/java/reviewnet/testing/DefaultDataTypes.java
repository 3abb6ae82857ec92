package reviewnet.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * JUnit extension that sets ND4J's global default data types (default and floating point) before each test and
 * restores what it found afterwards, so that no test leaks its precision into the next one:
 * {@code @RegisterExtension final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);}.
 * It runs before the test class' own {@code @BeforeEach} methods.
 */
public final class DefaultDataTypes implements BeforeEachCallback, AfterEachCallback {

    private final DataType type;
    private DataType savedDefault, savedFloat;

    private DefaultDataTypes(DataType type) {
        this.type = type;
    }

    public static DefaultDataTypes of(DataType type) {
        return new DefaultDataTypes(type);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        savedDefault = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(type, type);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloat);
    }
}
