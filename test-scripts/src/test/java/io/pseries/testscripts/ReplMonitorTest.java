package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.script.ScriptEngine;
import io.pseries.script.cli.Main;
import io.pseries.script.repl.Repl;
import io.pseries.script.repl.ReplSession;

/** The REPL's monitor commands (.pic, .irq, .trace, .dt, .machines) and {@code run --pic}: what QEMU's monitor shows. */
class ReplMonitorTest {
    static ScriptEngine engine;

    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    ReplSession session;

    @BeforeAll
    static void start() {
        engine = new ScriptEngine();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @BeforeEach
    void open() {
        session = new ReplSession(engine, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), false, null);
    }

    @AfterEach
    void close() {
        session.close();
    }

    String feed(String lines) throws IOException {
        out.reset();
        err.reset();
        Repl.batch(session, new BufferedReader(new StringReader(lines)));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void picIsTheCurrentMachinesInfoPicText() throws IOException {
        feed("const m = pseries.machine({ cpus: 2, icMode: 'xive' }); m.boot(); undefined\n");
        String expected = feed("console.log(m.pic('text'))\n");
        // console.log adds a newline, and the REPL prints the call's result, undefined
        assertEquals(expected, feed(".pic\n") + "\nundefined\n");
        assertTrue(expected.contains("LISN") || expected.contains("lisn") || expected.contains("XIVE"), expected);
    }

    @Test
    void irqCountsWhatEachVcpuTookAndTraceOnOffPrintsEvents() throws IOException {
        feed("const m = pseries.machine({ cpus: 2, icMode: 'xive' }); m.boot(); m.guest.ipi(0, 1); m.runUntilIdle(); undefined\n");
        String irq = feed(".irq\n");
        String[] rows = irq.split("\n");
        assertTrue(rows[0].contains("CPU0") && rows[0].contains("CPU1"), irq);
        assertTrue(rows[1].matches("\\s*IPI:\\s+0\\s+1"), "vCPU 1 took the one IPI: " + irq);
        assertEquals("tracing hcall\n", feed(".trace on hcall\n"));
        String traced = feed("m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0x1100); undefined\n");
        assertTrue(traced.startsWith("[trace] #") && traced.contains("hcall H_INT_GET_SOURCE_INFO"), traced);
        assertEquals("tracing nothing\n", feed(".trace off hcall\n"));
        assertEquals("undefined\n", feed("m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0x1100); undefined\n"));
        feed(".trace on hcal\n");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown event 'hcal' (did you mean 'hcall'?)"), err.toString());
    }

    @Test
    void dtPrintsTheTreeOrANodeAndMachinesPicksTheCurrentOne() throws IOException {
        feed("const a = pseries.machine({ cpus: 1, icMode: 'xics' }); const b = pseries.machine({ cpus: 4, icMode: 'xive' }); undefined\n");
        String machines = feed(".machines\n");
        assertEquals("  1: 1 vCPUs, xics\n* 2: 4 vCPUs, xive\n", machines);
        assertTrue(feed(".dt /cpus\n").contains("PowerPC,POWER9@3"), "machine 2 has 4 vCPUs");
        feed(".machine 1\n");
        String cpus = feed(".dt /cpus\n");
        assertTrue(cpus.contains("PowerPC,POWER9@0") && !cpus.contains("@3"), cpus);
        feed(".dt /nowhere\n");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(".dt: no node at /nowhere"), err.toString());
    }

    @Test
    void snapshotKeepsTheStateUnderATagAndRestorePutsItBack() throws IOException {
        feed("const m = pseries.machine({ cpus: 2, icMode: 'xics' }); undefined\n");
        // H_CPPR 0x00 on vCPU 1, then the snapshot: XICS server 1 has CPPR 0
        feed("m.hcall(1, 'H_CPPR', 0); undefined\n");
        assertTrue(feed(".snapshot before\n").matches("snapshot 'before' of machine 1: \\d+ bytes\n"));
        feed("m.hcall(1, 'H_CPPR', 0xff); undefined\n");
        assertEquals("255\n", feed("m.pic().icps[1].xirr >>> 24\n"));
        assertTrue(feed(".restore before\n").startsWith("machine 1 restored to 'before'"));
        assertEquals("0\n", feed("m.pic().icps[1].xirr >>> 24\n"), "the CPPR the snapshot held");
        assertTrue(feed(".snapshot\n").startsWith("snapshot 's2' of machine 1"), "default tags count the kept ones");
        String list = feed(".snapshots\n");
        assertTrue(list.startsWith("before") && list.contains("\ns2 "), list);
    }

    @Test
    void restoreRefusesAnUnknownTagAndAStreamOfAnotherConfigurationLeavingTheMachineAsItWas() throws IOException {
        feed("const a = pseries.machine({ cpus: 2, icMode: 'xics' }); undefined\n");
        feed(".snapshot two\n");
        feed(".restore tow\n");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(".restore: no snapshot 'tow' (did you mean 'two'?)"), err.toString());
        feed("const b = pseries.machine({ cpus: 4, icMode: 'xics' }); b.hcall(3, 'H_CPPR', 0); undefined\n");
        feed(".restore two\n");
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains(".restore: snapshot section 'config': foreign stream") && e.contains("cpus"), e);
        assertEquals("0\n", feed("b.pic().icps[3].xirr >>> 24\n"), "machine 2 unchanged");
        feed(".snapshot bad/tag\n");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(".snapshot: a tag is 1 to 32 letters"), err.toString());
    }

    @Test
    void monitorCommandsWithoutAMachineSaySoAndHelpListsThem() throws IOException {
        feed(".pic\n");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(".pic: no machine yet"), err.toString());
        String help = feed(".help\n");
        for (String c : new String[] {".pic", ".irq", ".trace", ".dt", ".machines", ".snapshot", ".restore", ".snapshots"}) {
            assertTrue(help.contains(c), c + " in .help");
        }
    }

    @Test
    void runPicPrintsInfoPicOfEachMachineAtExit() throws IOException {
        Path s = dir.resolve("p.js");
        Files.writeString(s, "const m = pseries.machine({ cpus: 2, icMode: 'xics' }); m.boot(); console.log('done');\n");
        StringWriter o = new StringWriter();
        int code = Main.commandLine(new PrintWriter(o, true), new PrintWriter(new StringWriter(), true)).execute("run", "--pic", s.toString());
        assertEquals(0, code);
        assertTrue(o.toString().startsWith("done\nmachine 1 (xics), info pic:\n"), o.toString());
    }
}
