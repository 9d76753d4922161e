package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.script.cli.Main;

/** {@code pseries layout}: the report table, the chart files, and usage errors. */
class LayoutCommandTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static String[] row(String out, String mapping) {
        return Arrays.stream(out.split("\n")).filter(l -> l.contains(" " + mapping + " ")).findFirst()
            .orElseThrow(() -> new AssertionError("no " + mapping + " row in\n" + out)).trim().split("\\s+");
    }

    @Test
    void windowKeepsTwoVmasAndSlots_perSourceHasOnePerSource_andTheSvgChartIsWritten() {
        Path svg = dir.resolve("layout.svg");
        Result r = cli("layout", "--cpus", "2", "--sources", "100", "--chart", svg.toString());
        assertEquals(0, r.code(), r.err());
        String[] w = row(r.out(), "window");
        String[] p = row(r.out(), "per-source");
        // cpus sources mapping kernel VMAs memslots ...
        assertEquals("2", w[4]);
        assertEquals("2", w[5]);
        // 100 sources + 2 IPIs + EPOW + hot-plug + the NVRAM + 4 PHB LSIs, and the TIMA
        assertEquals("110", p[4]);
        assertEquals("110", p[5]);
        String text;
        try {
            text = Files.readString(svg);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertTrue(text.startsWith("<svg") || text.contains("<svg "), text.substring(0, Math.min(200, text.length())));
        assertTrue(text.contains("KVM_USER_MEM_SLOTS 32,767") && text.contains("vm.max_map_count 65,530"), "limits drawn");
    }

    @Test
    void aLowSlotLimitIsReportedWithTheKernelsError_andThePngChartIsAPng() throws IOException {
        Path png = dir.resolve("layout.png");
        Result r = cli("layout", "--cpus", "1", "--sources", "64", "--mapping", "per-source", "--mem-slots", "32",
            "--chart", png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("KVM_SET_USER_MEMORY_REGION failed with EINVAL (Invalid argument)")
            && r.out().contains("KVM_USER_MEM_SLOTS = 32 reached"), r.out());
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, head);
    }

    @Test
    void anUnknownMappingOrChartType_isAUsageError() {
        Result r = cli("layout", "--mapping", "windows");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--mapping: unknown mapping 'windows' (did you mean 'window'?)"), r.err());
        r = cli("layout", "--chart", dir.resolve("x.gif").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--chart: the file must end in .png or .svg"), r.err());
    }
}
