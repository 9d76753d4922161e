package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectFile;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;
import static org.junit.platform.launcher.EngineFilter.includeEngines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.FileSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.opentest4j.AssertionFailedError;

import io.pseries.script.test.junit.PseriesTestEngine;

/** The JUnit Platform engine: what JUnit (Surefire, IDEs) sees of the JS tests. */
class PseriesTestEngineTest {
    @TempDir
    Path dir;

    /** What a launcher reported, keyed by "file > suite > test" built from display names. */
    static final class Recorder implements TestExecutionListener {
        final Map<String, TestExecutionResult> finished = new ConcurrentHashMap<>();
        final Map<String, TestIdentifier> identifiers = new ConcurrentHashMap<>();
        final List<String> skipped = new ArrayList<>();
        final List<String> order = new ArrayList<>();
        private TestPlan plan;

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            plan = testPlan;
        }

        String path(TestIdentifier id) {
            List<String> parts = new ArrayList<>();
            for (TestIdentifier t = id; t != null && t.getParentId().isPresent(); t = plan.getParent(t).orElse(null)) {
                parts.add(0, t.getDisplayName());
            }
            return String.join(" > ", parts);
        }

        @Override
        public void executionStarted(TestIdentifier id) {
            order.add("start " + path(id));
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            skipped.add(path(id));
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            finished.put(path(id), result);
            identifiers.put(path(id), id);
            order.add("end " + path(id));
        }
    }

    private Recorder launch(LauncherDiscoveryRequestBuilder request) {
        Recorder r = new Recorder();
        LauncherDiscoveryRequest req = request.filters(includeEngines(PseriesTestEngine.ID)).build();
        LauncherFactory.create().execute(req, r);
        return r;
    }

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    static final String SUITE = """
        describe('machine', () => {
          it('boots', () => { pseries.machine({ cpus: 2, icMode: 'xive' }).boot(); });
          it('counts', () => {
            assert.strictEqual(1 + 1, 3);
          });
          it('bad option', () => { pseries.machine({ cpus: 2, icmode: 'xive' }); });
          it.skip('later', () => {});
        });
        it('top level', () => {});
        """;

    @Test
    void filesSuitesAndTestsAreJunitTestsNamedAsInTheScript() throws IOException {
        file("m.test.js", SUITE);
        file("sub/other.test.js", "it('alone', () => {});\n");
        Recorder r = launch(LauncherDiscoveryRequestBuilder.request()
            .configurationParameter(PseriesTestEngine.DIRS, dir.toString()));
        String m = r.finished.keySet().stream().filter(k -> k.endsWith("m.test.js")).findFirst().orElseThrow(
            () -> new AssertionError("no file container in " + r.finished.keySet()));
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, r.finished.get(m + " > machine > boots").getStatus());
        assertEquals(TestExecutionResult.Status.FAILED, r.finished.get(m + " > machine > counts").getStatus());
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, r.finished.get(m + " > top level").getStatus());
        assertTrue(r.skipped.contains(m + " > machine > later"), r.skipped.toString());
        assertTrue(r.finished.keySet().stream().anyMatch(k -> k.endsWith("other.test.js > alone")), r.finished.keySet().toString());
        // a suite starts before its tests and ends after them
        assertTrue(r.order.indexOf("start " + m + " > machine") < r.order.indexOf("start " + m + " > machine > boots"));
        assertTrue(r.order.indexOf("end " + m + " > machine") > r.order.indexOf("end " + m + " > machine > bad option"));
        // the file is a test set for reporting tools, the test points at its line
        TestIdentifier fileId = r.identifiers.get(m);
        assertInstanceOf(ClassSource.class, fileId.getSource().orElseThrow());
        FileSource at = (FileSource) r.identifiers.get(m + " > machine > counts").getSource().orElseThrow();
        assertEquals(3, at.getPosition().orElseThrow().getLine());
        assertEquals("machine > counts", r.identifiers.get(m + " > machine > counts").getLegacyReportingName());
    }

    @Test
    void theMachineDefaultsParameter_reachesEveryMachineOfTheRun() throws IOException {
        file("d.test.js", """
            it('default', () => { assert.strictEqual(pseries.machine().config.kernelIrqchip, 'allowed'); });
            it('own', () => { assert.strictEqual(pseries.machine({ kernelIrqchip: 'off' }).config.kernelIrqchip, 'off'); });
            """);
        Recorder r = launch(LauncherDiscoveryRequestBuilder.request()
            .configurationParameter(PseriesTestEngine.DIRS, dir.toString())
            .configurationParameter(PseriesTestEngine.MACHINE_DEFAULTS, "kernelIrqchip=allowed"));
        for (String t : new String[] {"default", "own"}) {
            String key = r.finished.keySet().stream().filter(k -> k.endsWith("d.test.js > " + t)).findFirst().orElseThrow();
            assertEquals(TestExecutionResult.Status.SUCCESSFUL, r.finished.get(key).getStatus(), () -> key + ": "
                + r.finished.get(key).getThrowable());
        }
    }

    @Test
    void anAssertionFailureIsAnAssertionFailedErrorWithValuesAndTheJsLocation() throws IOException {
        file("m.test.js", SUITE);
        Recorder r = launch(LauncherDiscoveryRequestBuilder.request()
            .configurationParameter(PseriesTestEngine.DIRS, dir.toString()));
        String key = r.finished.keySet().stream().filter(k -> k.endsWith("machine > counts")).findFirst().orElseThrow();
        Throwable t = r.finished.get(key).getThrowable().orElseThrow();
        AssertionFailedError a = assertInstanceOf(AssertionFailedError.class, t);
        assertEquals("3", a.getExpected().getStringRepresentation());
        assertEquals("2", a.getActual().getStringRepresentation());
        assertEquals("m.test.js", t.getStackTrace()[0].getFileName());
        assertEquals(4, t.getStackTrace()[0].getLineNumber());
        assertTrue(t.getMessage().contains("m.test.js:4:12"), t.getMessage());
    }

    @Test
    void anErrorThatIsNotAnAssertionIsReportedAsAnError() throws IOException {
        file("m.test.js", SUITE);
        Recorder r = launch(LauncherDiscoveryRequestBuilder.request()
            .configurationParameter(PseriesTestEngine.DIRS, dir.toString()));
        String key = r.finished.keySet().stream().filter(k -> k.endsWith("machine > bad option")).findFirst().orElseThrow();
        Throwable t = r.finished.get(key).getThrowable().orElseThrow();
        assertTrue(!(t instanceof AssertionError), t.getClass().toString());
        assertTrue(t.getMessage().contains("unknown machine option 'icmode'"), t.getMessage());
        assertEquals(6, t.getStackTrace()[0].getLineNumber());
    }

    @Test
    void aUniqueIdSelectsOneTest() throws IOException {
        Path f = file("m.test.js", SUITE);
        Recorder all = launch(LauncherDiscoveryRequestBuilder.request().selectors(selectFile(f.toFile())));
        String key = all.finished.keySet().stream().filter(k -> k.endsWith("machine > boots")).findFirst().orElseThrow();
        String uid = all.identifiers.get(key).getUniqueId();
        Recorder one = launch(LauncherDiscoveryRequestBuilder.request().selectors(selectUniqueId(uid)));
        List<String> tests = one.finished.entrySet().stream().filter(e -> one.identifiers.get(e.getKey()).isTest())
            .map(Map.Entry::getKey).toList();
        assertEquals(1, tests.size(), tests.toString());
        assertTrue(tests.get(0).endsWith("machine > boots"), tests.toString());
    }

    @Test
    void twoUniqueIdsInOneFileRunBothTests() throws IOException {
        Path f = file("m.test.js", SUITE);
        Recorder all = launch(LauncherDiscoveryRequestBuilder.request().selectors(selectFile(f.toFile())));
        List<String> uids = all.identifiers.entrySet().stream()
            .filter(e -> e.getKey().endsWith("machine > boots") || e.getKey().endsWith("top level"))
            .map(e -> e.getValue().getUniqueId()).toList();
        assertEquals(2, uids.size(), all.identifiers.keySet().toString());
        Recorder two = launch(LauncherDiscoveryRequestBuilder.request()
            .selectors(selectUniqueId(uids.get(0)), selectUniqueId(uids.get(1))));
        List<String> tests = two.finished.entrySet().stream().filter(e -> two.identifiers.get(e.getKey()).isTest())
            .map(Map.Entry::getKey).sorted().toList();
        assertEquals(2, tests.size(), tests.toString());
        assertTrue(tests.get(0).endsWith("machine > boots") && tests.get(1).endsWith("top level"), tests.toString());
    }

    @Test
    void aBrokenFileFailsItsContainerWithTheSyntaxError() throws IOException {
        file("broken.test.js", "it('x', () => {\n  const = 1;\n});\n");
        Recorder r = launch(LauncherDiscoveryRequestBuilder.request()
            .configurationParameter(PseriesTestEngine.DIRS, dir.toString()));
        String key = r.finished.keySet().stream().filter(k -> k.endsWith("broken.test.js")).findFirst().orElseThrow();
        Throwable t = r.finished.get(key).getThrowable().orElseThrow();
        assertTrue(t.getMessage().startsWith("SyntaxError"), t.getMessage());
        assertEquals(2, t.getStackTrace()[0].getLineNumber());
    }

    @Test
    void withoutADirectoryOrJsSelectorsTheEngineFindsNothing() throws IOException {
        file("m.test.js", SUITE);
        Recorder r = launch(LauncherDiscoveryRequestBuilder.request());
        assertEquals(1, r.finished.size(), "just the engine: " + r.finished.keySet());
    }
}
