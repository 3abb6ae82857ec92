package reviewnet.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry: architecture name → implementation, in the order results are reported. */
public final class Architectures {
    private static final Map<String, Architecture> REGISTRY = new LinkedHashMap<>();

    static {
        for (Architecture a : List.of(new SimpleRnnArchitecture(), new LstmArchitecture(), new GruArchitecture(),
                new ConvGruArchitecture(), new ConvArchitecture(), new CnnMaxArchitecture(),
                new BigramBagArchitecture(), new BiGruArchitecture())) {
            REGISTRY.put(a.name(), a);
        }
    }

    private Architectures() {
    }

    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    public static Architecture get(String name) {
        Architecture architecture = REGISTRY.get(name);
        if (architecture == null) {
            throw new IllegalArgumentException("unknown architecture '" + name + "'; known: " + names());
        }
        return architecture;
    }
}
