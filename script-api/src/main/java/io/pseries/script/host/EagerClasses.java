package io.pseries.script.host;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Initializes the model's classes when the script engine starts, before any script runs.
 *
 * <p>Why: a script can call the machine from the bottom of a deep JS recursion, where the Java
 * stack has almost no room left. If a class of the model were initialized for the first time
 * there, a {@link StackOverflowError} inside its static initializer would mark the class as
 * failed for the life of the JVM, and every later use would throw "Could not initialize class".
 * Initialized up front, the worst such a call can meet is a stack overflow in ordinary code,
 * which the API turns into the RangeError JS throws.
 *
 * <p>Threading: called once per engine, on the thread that creates it.
 */
public final class EagerClasses {
    private EagerClasses() {
    }

    /**
     * Initializes every class of each anchor's component (its top three package names, e.g.
     * {@code io.pseries.core}; in the script host only the anchor's own package), from the jar or
     * directory the anchor was loaded from. Returns how many were initialized.
     */
    public static int initialize(List<Class<?>> anchors) {
        Set<String> names = new LinkedHashSet<>();
        for (Class<?> a : anchors) {
            names.addAll(classesBeside(a));
        }
        int n = 0;
        for (String name : names) {
            try {
                Class.forName(name, true, anchors.get(0).getClassLoader());
                n++;
            } catch (ClassNotFoundException | LinkageError e) {
                // an optional dependency is missing (e.g. the JUnit engine outside tests): not a model class
            }
        }
        return n;
    }

    /** The anchor's component (io.pseries.xive for io.pseries.xive.script), or its own package inside the script host. */
    private static String packageOf(Class<?> anchor) {
        String p = anchor.getPackageName();
        String[] parts = p.split("\\.");
        String top = parts.length >= 3 ? parts[0] + "." + parts[1] + "." + parts[2] : p;
        return top.equals("io.pseries.script") ? p : top;
    }

    private static List<String> classesBeside(Class<?> anchor) {
        String pkg = packageOf(anchor).replace('.', '/') + "/";
        List<String> out = new ArrayList<>();
        CodeSource cs = anchor.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            return out;
        }
        try {
            Path where = Path.of(cs.getLocation().toURI());
            if (Files.isDirectory(where)) {
                try (Stream<Path> s = Files.walk(where.resolve(pkg))) {
                    s.filter(p -> p.toString().endsWith(".class")).forEach(p -> out.add(className(where.relativize(p).toString())));
                }
            } else if (Files.isRegularFile(where)) {
                try (ZipFile z = new ZipFile(where.toFile())) {
                    for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements();) {
                        String n = e.nextElement().getName();
                        if (n.startsWith(pkg) && n.endsWith(".class")) {
                            out.add(className(n));
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            // not a file location: nothing to initialize up front
        }
        return out;
    }

    private static String className(String file) {
        return file.replace('\\', '/').replaceAll("\\.class$", "").replace('/', '.');
    }
}
