package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pseries.script.ScriptEngine;
import io.pseries.script.ScriptErrors;

/** The JS API's conventions, with the real plugins: integers, errors, events, data shapes. */
class JsApiTest {
    static ScriptEngine engine;

    @BeforeAll
    static void start() {
        engine = new ScriptEngine();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    /** Evaluates {@code js} (whose value is JSON-stringified with BigInts as "123n") or returns "THROWN message". */
    static String js(String js) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Context ctx = engine.newContext(new ScriptEngine.Options().out(new PrintStream(out, true, StandardCharsets.UTF_8)))) {
            ctx.eval("js", "globalThis.show = (v) => JSON.stringify(v, (k, x) => typeof x === 'bigint' ? x + 'n' : x);");
            return ctx.eval("js", js).toString();
        } catch (PolyglotException e) {
            return "THROWN " + ScriptErrors.message(e);
        }
    }

    static final String XIVE = "const m = pseries.machine({ cpus: 2, icMode: 'xive' }); m.cas({ xive: 'exploitation' });";

    @Test
    void hcallTakesNamesOrNumbersAndReturnsRcNameAndOutputs() {
        assertEquals("{\"rc\":0,\"rcName\":\"H_SUCCESS\",\"ret\":[0,1689949371957248,1689949371891712,16]}",
            js(XIVE + "show(m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0))"));
        assertEquals("true", js(XIVE + "show(m.hcall(1, 0x3a8, 0, 1)) === show(m.hcall(1, 'H_INT_GET_SOURCE_INFO', 0n, 1n))"));
    }

    @Test
    void allOnesRegistersAreMinusOneAndLargeValuesAreBigInts() {
        // H_INT_ESB answers -1 in R4 for a store: all ones is -1
        assertEquals("-1", js(XIVE + "String(m.hcall(0, 'H_INT_ESB', 1, 0, 0xc00, 0).ret[0])"));
        assertEquals("\"18446744073709551615n\"",
            js("const m = pseries.machine({ icMode: 'xive' }); m.mem.write64(0x1000, 0xffffffffffffffffn); show(BigInt.asUintN(64, BigInt(m.mem.read64(0x1000))))"));
        assertEquals("-1", js("const m = pseries.machine({ icMode: 'xive' }); m.mem.write64(0x1000, -1); String(m.mem.read64(0x1000))"));
        assertEquals("\"9007199254740993n\"", js("const m = pseries.machine({ icMode: 'xive' }); m.mem.write64(0x1000, 9007199254740993n); show(m.mem.read64(0x1000))"));
    }

    @Test
    void integerArgumentsRejectFractionsStringsAndOverflow() {
        assertTrue(js("pseries.machine({ icMode: 'xive' }).load(0, 1.5, 4)").startsWith("THROWN TypeError: address must be an integer, got 1.5"));
        assertTrue(js("pseries.machine({ icMode: 'xive' }).load(0, '16', 4)").startsWith("THROWN TypeError: address must be a number or a BigInt, got '16'"));
        assertTrue(js("pseries.machine({ icMode: 'xive' }).store(0, 0, 4, 1n << 64n)").startsWith("THROWN RangeError: value must fit 64 bits"));
        assertTrue(js("pseries.machine({ icMode: 'xive' }).load(0, 2 ** 60, 4)").contains("not a safe integer; pass it as a BigInt"));
        assertTrue(js("pseries.machine({ icMode: 'xive' }).load(3, 0, 4)").startsWith("THROWN RangeError: cpu 3 does not exist: the machine has 1 vCPU (0)"));
        assertTrue(js("pseries.machine({ icMode: 'xive' }).load(0, 0, 3)").startsWith("THROWN RangeError: size must be 1, 2, 4 or 8 bytes, got 3"));
    }

    @Test
    void hostErrorsBecomeJsErrorsWithTheHostMessage() {
        assertEquals("Error|unknown hcall 'H_INT_ESBB' (did you mean 'H_INT_ESB'?)",
            js("const m = pseries.machine({ icMode: 'xive' }); try { m.hcall(0, 'H_INT_ESBB') } catch (e) {"
                + " `${e instanceof Error ? 'Error' : 'no'}|${e.message.split(';')[0]}` }"));
    }

    @Test
    void casRefusalsThrowWithQemusMessage() {
        assertEquals("true|Guest requested unavailable interrupt mode (XICS), either don't set the ic-mode machine property or try ic-mode=xics or ic-mode=dual",
            js("const m = pseries.machine({ icMode: 'xive' }); try { m.cas(Array.from({ length: 27 }, (_, i) => i === 0 ? 25 : 0)); 'no' }"
                + " catch (e) { `${e.fatal}|${e.qemuMessage}` }"));
        assertEquals("false|-4|guest didn't provide option vector 5",
            js("const m = pseries.machine({ icMode: 'xive' }); try { m.cas({ ov5: null }); 'no' } catch (e) { `${e.fatal}|${e.rc}|${e.qemuMessage}` }"));
        assertEquals("xive|64|64",
            js("const m = pseries.machine({ icMode: 'xive' }); const r = m.cas({ xive: 'legacy' }); `${r.mode}|${r.requested}|${r.answer}`"));
    }

    @Test
    void eventsArePlainObjectsDeliveredSynchronouslyUntilUnsubscribed() {
        assertEquals("[\"H_INT_GET_SOURCE_INFO\",-2,\"H_FUNCTION\",0,2]|1",
            js("const m = pseries.machine({ icMode: 'xive' }); const seen = [];"
                + " const off = m.on('hcall', (e) => seen.push(e));"
                + " m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0); off(); m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0);"
                + " show([seen[0].name, seen[0].rc, seen[0].rcName, seen[0].cpu, seen[0].args.length]) + '|' + seen.length"));
    }

    @Test
    void aListenerErrorSurfacesAfterTheMachineCallCompletes() {
        // the hcall completed (EISN 0x42 stored) although the listener threw; target and priority come
        // from the END as in QEMU, and END (0, 6) has no queue yet: 0 - 0x400 and 0
        assertEquals("boom|[4294966272,0,66]",
            js("const m = pseries.machine({ icMode: 'xive' }); m.cas({ xive: 'both' });"
                + " const off = m.on('hcall', () => { throw new Error('boom'); });"
                + " let msg = 'none'; try { m.hcall(0, 'H_INT_SET_SOURCE_CONFIG', 2, 0, 0, 6, 0x42); } catch (e) { msg = e.message; }"
                + " off();"
                + " msg + '|' + show(m.hcall(0, 'H_INT_GET_SOURCE_CONFIG', 0, 0).ret)"));
    }

    @Test
    void unknownEventsAreRejectedWithASuggestion() {
        assertTrue(js("pseries.machine({ icMode: 'xive' }).on('hcal', () => {})").contains("unknown event 'hcal' (did you mean 'hcall'?)"));
    }

    @Test
    void fdtIsAUint8ArrayWithTheFdtMagic() {
        assertEquals("Uint8Array|d00dfeed", js("const b = pseries.machine({ icMode: 'xive' }).fdt(); b.constructor.name + '|'"
            + " + [0, 1, 2, 3].map((i) => b[i].toString(16).padStart(2, '0')).join('')"));
    }

    @Test
    void dtNodesHoldTypedProperties() {
        assertEquals("[0,4]|ibm,power-ivpe|true|[7,248]",
            js("const m = pseries.machine({ cpus: 4, icMode: 'xive' }); const n = m.dt('/interrupt-controller@60302031b0000');"
                + " show(n.props['ibm,xive-lisn-ranges']) + '|' + n.props.compatible + '|' + n.props['interrupt-controller']"
                + " + '|' + show(m.dt().props['ibm,plat-res-int-priorities'])"));
    }

    @Test
    void irqLinesRaiseLowerAndReportTheirLevel() {
        assertEquals("MSI|true|false|spapr-vty vty@71000000",
            js("const m = pseries.machine({ icMode: 'xive' }); const l = m.irq(0x1100); const up = l.raise().level;"
                + " `${l.type}|${up}|${l.lower().level}|${l.driver}`"));
        assertTrue(js("pseries.machine({ icMode: 'xive' }).irq(0x1234)").contains("IRQ 4660 (0x1234) is not a claimed device interrupt"));
    }

    @Test
    void guestMethodsBeforeBootSayWhatToDo() {
        assertTrue(js("pseries.machine({ icMode: 'xive' }).guest.ipi(0, 0)").contains("the guest is not booted: call m.boot() first"));
    }
}
