package io.pseries.script.test.junit;

import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;

/**
 * A node of the JS test tree as JUnit sees it: a file, a {@code describe} suite or an
 * {@code it} test. The legacy reporting name (what Surefire prints and files reports under) is
 * the file's path for a file and the suite path for suites and tests.
 */
final class JsDescriptor extends AbstractTestDescriptor {
    private final Type type;
    private final String legacyName;

    JsDescriptor(UniqueId id, String displayName, TestSource source, Type type, String legacyName) {
        super(id, displayName, source);
        this.type = type;
        this.legacyName = legacyName;
    }

    @Override
    public Type getType() {
        return type;
    }

    @Override
    public String getLegacyReportingName() {
        return legacyName;
    }
}
