package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pseries.script.cli.Main;

/**
 * {@code --timeline}: a Chrome trace-event file (what Perfetto opens) with the interrupt history.
 * Parsed here with Jackson, an independent reader, and checked against the trace-event format's
 * rules and what a known scenario must show.
 */
class TimelineTest {
    @TempDir
    Path dir;

    static final Set<String> PHASES = Set.of("X", "i", "C", "M", "s", "f");

    static int run(String... args) {
        return Main.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true)).execute(args);
    }

    static JsonNode read(Path p) throws IOException {
        return new ObjectMapper().readTree(Files.readString(p));
    }

    /** The format's rules: an event array, known phases, numeric timestamps, X with a duration, C with numeric args, flows paired. */
    static List<JsonNode> checkFormat(JsonNode root) {
        assertTrue(root.get("traceEvents").isArray());
        List<JsonNode> events = new ArrayList<>();
        root.get("traceEvents").forEach(events::add);
        List<Long> starts = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        for (JsonNode e : events) {
            String ph = e.get("ph").asText();
            assertTrue(PHASES.contains(ph), "phase " + ph);
            assertTrue(e.get("pid").isInt() && e.get("tid").isInt() && e.get("name").isTextual(), e.toString());
            if (!ph.equals("M")) {
                assertTrue(e.get("ts").isNumber() && e.get("ts").asDouble() >= 0, e.toString());
            }
            if (ph.equals("X")) {
                assertTrue(e.get("dur").isNumber() && e.get("dur").asDouble() > 0, e.toString());
            }
            if (ph.equals("C")) {
                e.get("args").fields().forEachRemaining(f -> assertTrue(f.getValue().isNumber(), e.toString()));
            }
            if (ph.equals("s")) {
                starts.add(e.get("id").asLong());
            }
            if (ph.equals("f")) {
                ends.add(e.get("id").asLong());
            }
        }
        assertTrue(starts.containsAll(ends), "every flow end has its start");
        return events;
    }

    static Stream<JsonNode> named(List<JsonNode> events, String ph, String prefix) {
        return events.stream().filter(e -> e.get("ph").asText().equals(ph) && e.get("name").asText().startsWith(prefix));
    }

    @Test
    void oneXiveIpiShowsItsTriggerDeliveryHandlerAndEoiOnTheVirtualClock() throws IOException {
        Path script = dir.resolve("ipi.js");
        Files.writeString(script, """
            const m = pseries.machine({ cpus: 2, icMode: 'xive' });
            m.boot();
            m.run({ ns: 1000000 });
            m.guest.ipi(0, 1);
            m.runUntilIdle();
            """);
        Path out = dir.resolve("t.json");
        assertEquals(0, run("run", "--timeline", out.toString(), script.toString()));
        List<JsonNode> ev = checkFormat(read(out));
        // tracks: a process for the machine, a thread per vCPU
        assertTrue(named(ev, "M", "thread_name").anyMatch(e -> e.get("args").get("name").asText().equals("vCPU 1")));
        // vCPU 1 took one interrupt: a slice holding ACK, the IPI handler and CPPR restore, on its own clock
        int cpu1 = 2;
        List<JsonNode> interrupts = named(ev, "X", "interrupt").filter(e -> e.get("tid").asInt() == cpu1).toList();
        assertEquals(1, interrupts.size(), "one exception on vCPU 1");
        JsonNode irq = interrupts.get(0);
        double start = irq.get("ts").asDouble();
        double end = start + irq.get("dur").asDouble();
        assertTrue(start >= 1000.0, "after the 1 ms run: the virtual clock in us, got " + start);
        for (String step : List.of("ACK (TIMA)", "handler (IPI)", "EOI (ESB PQ=00)")) {
            JsonNode s = named(ev, "X", step).filter(e -> e.get("tid").asInt() == cpu1 && e.get("ts").asDouble() >= start).findFirst()
                .orElseThrow(() -> new AssertionError(step + " on vCPU 1"));
            assertTrue(s.get("ts").asDouble() + s.get("dur").asDouble() <= end + 1e-9, step + " inside the interrupt slice");
        }
        double ack = named(ev, "X", "ACK (TIMA)").filter(e -> e.get("tid").asInt() == cpu1 && e.get("ts").asDouble() >= start)
            .findFirst().orElseThrow().get("ts").asDouble();
        double handler = named(ev, "X", "handler (IPI)").filter(e -> e.get("tid").asInt() == cpu1 && e.get("ts").asDouble() >= start)
            .findFirst().orElseThrow().get("ts").asDouble();
        assertTrue(ack < handler, "ACK before the handler");
        // CPPR: the ACK raises it to the IPI's priority 6, the end of the interrupt restores 0xff
        List<Long> cppr = named(ev, "C", "CPPR vCPU 1").filter(e -> e.get("ts").asDouble() >= start)
            .map(e -> e.get("args").get("cppr").asLong()).toList();
        assertTrue(cppr.size() >= 2 && cppr.get(0) == 6 && cppr.get(cppr.size() - 1) == 0xff, "CPPR counter: " + cppr);
        // the IPI source (LISN 1, vCPU 1's IPI) has a PQ counter and a trigger that flows to the delivery on vCPU 1
        JsonNode trigger = named(ev, "X", "trigger 0x1").filter(e -> e.get("ts").asDouble() >= 1000.0).findFirst()
            .orElseThrow(() -> new AssertionError("the IPI's trigger"));
        assertTrue(named(ev, "C", "PQ 0x1").anyMatch(e -> e.get("args").get("pq").asInt() == 2), "PQ goes to 10 (pending)");
        long flowId = named(ev, "s", "delivery").filter(e -> e.get("tid").asInt() == trigger.get("tid").asInt()
            && e.get("ts").asDouble() == trigger.get("ts").asDouble()).findFirst().orElseThrow().get("id").asLong();
        JsonNode flowEnd = named(ev, "f", "delivery").filter(e -> e.get("id").asLong() == flowId).findFirst().orElseThrow();
        assertEquals(cpu1, flowEnd.get("tid").asInt(), "the flow ends on vCPU 1");
        assertTrue(named(ev, "X", "present 0x1").anyMatch(e -> e.get("tid").asInt() == cpu1
            && e.get("ts").asDouble() == flowEnd.get("ts").asDouble()), "at the delivery");
    }

    @Test
    void xicsDeliveriesAckWithHXirrAndEoiWithHEoi() throws IOException {
        Path script = dir.resolve("xics.js");
        Files.writeString(script, """
            const m = pseries.machine({ cpus: 2, icMode: 'xics' });
            m.boot();
            m.guest.ipi(0, 1);
            m.runUntilIdle();
            m.hcall(0, 'H_CPPR', 0xff);
            """);
        Path out = dir.resolve("x.json");
        assertEquals(0, run("run", "--timeline", out.toString(), script.toString()));
        List<JsonNode> ev = checkFormat(read(out));
        assertTrue(named(ev, "X", "ACK (H_XIRR").anyMatch(e -> e.get("tid").asInt() == 2), "ACK on vCPU 1");
        assertTrue(named(ev, "X", "EOI (H_EOI)").anyMatch(e -> e.get("tid").asInt() == 2), "EOI on vCPU 1");
        assertTrue(named(ev, "f", "delivery").anyMatch(e -> e.get("tid").asInt() == 2), "H_IPI flows to vCPU 1");
        assertTrue(named(ev, "i", "hcall H_CPPR").anyMatch(e -> e.get("tid").asInt() == 1), "the script's own hcall is an instant");
    }

    @Test
    void aFailingTestLeavesItsTimelineInTheArtifacts() throws IOException {
        Files.writeString(dir.resolve("f.test.js"), """
            it('counts', () => {
              const m = pseries.machine({ cpus: 2, icMode: 'xive' });
              m.boot();
              m.guest.ipi(0, 1);
              m.runUntilIdle();
              assert.strictEqual(m.guest.stats()[1].ipis, 2);
            });
            """);
        Path art = dir.resolve("art");
        assertEquals(1, run("test", "--artifacts", art.toString(), dir.resolve("f.test.js").toString()));
        Path timeline;
        try (Stream<Path> s = Files.walk(art)) {
            timeline = s.filter(p -> p.getFileName().toString().equals("machine-0.timeline.json")).findFirst().orElseThrow();
        }
        List<JsonNode> ev = checkFormat(read(timeline));
        assertTrue(named(ev, "X", "handler (IPI)").anyMatch(e -> e.get("tid").asInt() == 2), "the failing test's IPI");
    }
}
