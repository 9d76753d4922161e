package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.platform.launcher.EngineFilter.includeEngines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import io.pseries.script.test.Shard;
import io.pseries.script.test.junit.PseriesTestEngine;

/** Sharding: K/N slices of the files, disjoint, covering, independent of the checkout directory; also through the JUnit engine. */
class ShardTest {
    @TempDir
    Path dir;

    @Test
    void filesAreDealtOutInPathOrderWhereverTheCheckoutIs() {
        List<Path> a = List.of(Path.of("/ci/one/t/c.test.js"), Path.of("/ci/one/t/a.test.js"), Path.of("/ci/one/t/b.test.js"));
        List<Path> b = List.of(Path.of("/home/x/t/b.test.js"), Path.of("/home/x/t/c.test.js"), Path.of("/home/x/t/a.test.js"));
        assertEquals(List.of("a.test.js", "c.test.js"), names(new Shard(1, 2).select(a)));
        assertEquals(names(new Shard(1, 2).select(a)), names(new Shard(1, 2).select(b)));
        assertEquals(List.of("b.test.js"), names(new Shard(2, 2).select(b)));
    }

    @Test
    void aShardIsKOverNWithKFromOneToN() {
        assertEquals(new Shard(2, 3), Shard.parse(" 2/3 "));
        for (String bad : List.of("0/3", "4/3", "3", "a/b", "1/0", "1/2/3")) {
            assertThrows(IllegalArgumentException.class, () -> Shard.parse(bad), bad);
        }
    }

    private static List<String> names(List<Path> ps) {
        return ps.stream().map(p -> p.getFileName().toString()).toList();
    }

    @Test
    void theJunitEngineParameterRunsOneShardAndTheShardsCoverTheSuite() throws IOException {
        for (int i = 0; i < 5; i++) {
            Files.writeString(dir.resolve("f" + i + ".test.js"), "it('t" + i + "', () => {});\n");
        }
        Set<String> union = new TreeSet<>();
        for (int k = 1; k <= 2; k++) {
            List<String> ran = new ArrayList<>();
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .configurationParameter(PseriesTestEngine.DIRS, dir.toString())
                .configurationParameter(PseriesTestEngine.SHARD, k + "/2")
                .filters(includeEngines(PseriesTestEngine.ID)).build(), new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, org.junit.platform.engine.TestExecutionResult r) {
                        if (id.isTest()) {
                            ran.add(id.getDisplayName());
                        }
                    }
                });
            assertEquals(k == 1 ? List.of("t0", "t2", "t4") : List.of("t1", "t3"), ran.stream().sorted().toList());
            union.addAll(ran);
        }
        assertEquals(Set.of("t0", "t1", "t2", "t3", "t4"), union);
    }
}
