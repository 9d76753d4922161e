package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pseries.script.ScriptEngine;
import io.pseries.script.cli.Main;
import io.pseries.script.repl.Repl;
import io.pseries.script.repl.ReplSession;

/** {@code pseries repl} with real machines (the interrupt-controller plugins are on this class path). */
class ReplMachineTest {
    static ScriptEngine engine;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final AtomicInteger machines = new AtomicInteger();
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
            new PrintStream(err, true, StandardCharsets.UTF_8), false, m -> machines.incrementAndGet());
    }

    @AfterEach
    void close() {
        session.close();
    }

    /** Feeds lines to the session; returns what it printed to stdout (stderr is in {@link #err}). */
    String feed(String lines) throws IOException {
        out.reset();
        err.reset();
        Repl.batch(session, new BufferedReader(new StringReader(lines)));
        return out.toString(StandardCharsets.UTF_8);
    }

    String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    List<String> complete(String buffer) {
        return session.complete(buffer, buffer.length()).candidates();
    }

    @Test
    void aMachinePersistsAcrossInputsAndSurvivesErrors() throws IOException {
        assertEquals("undefined\n", feed("const m = pseries.machine({ cpus: 2, icMode: 'xive' })\n"));
        // a bad argument, a CAS QEMU refuses, a misspelled member: each is reported, the machine stays
        String o = feed("m.load(7, 0, 4)\nm.cas({ ov5: null })\nm.gest\nm.cas({ xive: 'exploitation' }).mode\nm.cpus\n");
        assertEquals("\"xive\"\n2\n", o);
        String e = errors();
        assertTrue(e.startsWith("repl:1:1: RangeError: cpu 7 does not exist: the machine has 2 vCPUs (0..1)\n    m.load(7, 0, 4)\n    ^\n"), e);
        assertTrue(e.contains("repl:1:1: Error: CAS failed with H_PARAMETER: guest didn't provide option vector 5\n    m.cas({ ov5: null })\n    ^\n"), e);
        assertTrue(e.contains("repl:1:1: TypeError: m.gest does not exist (did you mean m.guest?)"), e);
        assertEquals(1, machines.get());
    }

    @Test
    void verboseAddsTheJavaStackOfAHostError() throws IOException {
        feed("pseries.machine({ icMode: 'bogus' })\n");
        assertTrue(errors().startsWith("repl:1:1: Error: invalid machine option icMode: 'bogus'; expected one of xics, xive, dual\n"), errors());
        assertTrue(!errors().contains("Java stack trace"), errors());
        session.close();
        session = new ReplSession(engine, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), true, null);
        feed("pseries.machine({ icMode: 'bogus' })\n");
        assertTrue(errors().contains("Java stack trace:\njava.lang.IllegalArgumentException: invalid machine option icMode"), errors());
    }

    @Test
    void theExampleInHelpIsTrue() throws IOException {
        // the session shown by .help and in the README
        String o = feed("const m = pseries.machine({ cpus: 2, icMode: 'xive' })\nm.boot().mode\n"
            + "m.guest.ipi(0, 1); m.runUntilIdle(); m.guest.stats()[1].ipis\n");
        assertEquals("undefined\n\"xive\"\n1\n", o, errors());
    }

    @Test
    void redeclaringAMachineReplacesIt() throws IOException {
        String o = feed("const m = pseries.machine({ cpus: 1, icMode: 'xics' })\nconst m = pseries.machine({ cpus: 4, icMode: 'xive' })\n"
            + "m.cpus + ' ' + m.icMode\n");
        assertEquals("undefined\nundefined\n\"4 xive\"\n", o, errors());
    }

    @Test
    void completesTheMembersOfAMachineAndItsParts() throws IOException {
        feed("const m = pseries.machine({ cpus: 2, icMode: 'xive', devices: [{ type: 'spapr-vty' }] })\n");
        List<String> mm = complete("m.");
        assertTrue(mm.containsAll(List.of("boot", "cas", "cpus", "guest", "hcall", "irq", "mem", "pic", "runUntilIdle", "xive")), mm.toString());
        assertEquals(List.of("booted", "ipi", "ipis", "mode", "requestIrq", "setAffinity", "stats"), complete("m.guest."));
        assertEquals(List.of("read16", "read32", "read64", "read8"), complete("m.mem.read"));
        assertEquals(List.of("driver", "irq", "level", "lower", "pulse", "raise", "type"), complete("m.irq(0x1100)."));
        assertEquals(List.of("pulse"), complete("m.irq(0x1100).raise().pu"));
        assertTrue(complete("m.xive.").containsAll(List.of("eas", "end", "endIndex", "layout", "pq", "setEas")), complete("m.xive.").toString());
        assertTrue(complete("m.xive.layout.").containsAll(List.of("esbBase", "timaBase")), complete("m.xive.layout.").toString());
        assertTrue(complete("m.pic().").containsAll(List.of("cpus", "icps", "mode", "queues", "sources")), "XivePic | XicsPic");
        assertTrue(complete("m.pic().sources[0].").containsAll(List.of("lisn", "pq", "priority")), complete("m.pic().sources[0].").toString());
        assertEquals(List.of("rc", "rcName", "ret"), complete("m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0x1100)."));
        assertEquals(List.of("mode"), complete("m.boot().mo"));
        assertTrue(complete("pseries.machine({ cpus: 8 }).").contains("guest"));
        // none of that ran anything: no machine was created, the guest did not boot, no line was raised
        assertEquals(1, machines.get());
        assertEquals("false\nfalse\n", feed("m.guest.booted\nm.irq(0x1100).level\n"));
    }

    @Test
    void traceEventsOfTheSessionsMachinesGoToStderr() {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        InputStream saved = System.in;
        int code;
        try {
            System.setIn(new ByteArrayInputStream("const m = pseries.machine({ icMode: 'xive' })\nm.cas({ xive: 'exploitation' }).mode\n"
                .getBytes(StandardCharsets.UTF_8)));
            code = Main.commandLine(new PrintWriter(o, true), new PrintWriter(e, true)).execute("repl", "--trace", "cas");
        } finally {
            System.setIn(saved);
        }
        assertEquals(0, code, e.toString());
        assertEquals("undefined\n\"xive\"\n", o.toString());
        assertTrue(e.toString().contains("[trace] ") && e.toString().contains("cas"), e.toString());
    }
}
