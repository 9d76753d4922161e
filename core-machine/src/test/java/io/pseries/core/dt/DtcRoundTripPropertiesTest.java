package io.pseries.core.dt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * Random device trees through the real device-tree compiler: the blob {@link Fdt#write} makes
 * decompiles without a warning to exactly what {@link Dts#render} prints, and the blob dtc
 * writes from it reads back ({@link Fdt#read}) as the same tree. Trees have up to three levels,
 * node names without unit addresses and property names outside dtc's checked bindings, so any
 * warning is the blob's fault. Without dtc the property fails under CI
 * ({@code PSERIES_REQUIRE_DTC=1}) and is reported as skipped, with the reason, otherwise.
 */
class DtcRoundTripPropertiesTest {

    /** Skips (with the reason) when dtc is missing and not required; a required, missing dtc fails. */
    static final class NeedsDtc implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            if (DtcTool.present() || DtcTool.required()) {
                return SkipResult.doNotSkip();
            }
            return SkipResult.skip("dtc is not installed: apt-get install device-tree-compiler");
        }
    }

    @Provide
    Arbitrary<DtNode> trees() {
        return node("", 3);
    }

    private static Arbitrary<String> name(String prefix) {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789,._+-").ofMinLength(0).ofMaxLength(10)
            .map(s -> prefix + s);
    }

    private static Arbitrary<byte[]> value() {
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(24);
        Arbitrary<byte[]> string = Arbitraries.strings().ascii().ofMaxLength(12)
            .map(s -> (s.replace('\0', 'z') + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Arbitrary<byte[]> cells = Arbitraries.integers().list().ofMaxSize(5).map(l -> {
            byte[] b = new byte[4 * l.size()];
            for (int i = 0; i < l.size(); i++) {
                java.nio.ByteBuffer.wrap(b, 4 * i, 4).putInt(l.get(i));
            }
            return b;
        });
        return Arbitraries.oneOf(bytes, string, cells);
    }

    private static Arbitrary<DtNode> node(String nodeName, int depth) {
        Arbitrary<List<String>> propNames = name("x-").list().ofMaxSize(6).uniqueElements();
        Arbitrary<List<byte[]>> values = value().list().ofSize(6);
        Arbitrary<List<DtNode>> children = depth == 0 ? Arbitraries.just(List.of())
            : name("n").list().ofMaxSize(3).uniqueElements().flatMap(names -> {
                List<Arbitrary<DtNode>> kids = names.stream().map(n -> node(n, depth - 1)).toList();
                return net.jqwik.api.Combinators.combine(kids).as(l -> l);
            });
        return net.jqwik.api.Combinators.combine(propNames, values, children).as((pn, vs, kids) -> {
            DtNode n = new DtNode(nodeName);
            for (int i = 0; i < pn.size(); i++) {
                n.set(pn.get(i), vs.get(i));
            }
            for (DtNode k : kids) {
                copyInto(n.addChild(k.name()), k);
            }
            return n;
        });
    }

    private static void copyInto(DtNode to, DtNode from) {
        from.props().forEach(to::set);
        for (DtNode c : from.children()) {
            copyInto(to.addChild(c.name()), c);
        }
    }

    @Property(tries = 40)
    @AddLifecycleHook(NeedsDtc.class)
    void randomTree_dtcDecompilesOurBlobCleanly_toOurRendering_andItsBlobReadsBack(@ForAll("trees") DtNode tree)
            throws Exception {
        Path dir = Files.createTempDirectory("dtc-prop");
        try {
            byte[] blob = Fdt.write(tree, 0);
            DtcTool.Result dts = DtcTool.run(dir, blob, "-I", "dtb", "-O", "dts");
            assertEquals(0, dts.exit(), dts.stderr());
            assertEquals("", dts.stderr(), "dtc warned on our blob");
            assertEquals(dts.stdout(), Dts.render(tree), "our rendering is dtc's");
            Path out = dir.resolve("back.dtb");
            DtcTool.Result dtb = DtcTool.run(dir, blob, "-I", "dtb", "-O", "dtb", "-o", out.toString());
            assertEquals(0, dtb.exit(), dtb.stderr());
            FdtTest.assertSameTree(tree, Fdt.read(Files.readAllBytes(out)), "/");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
