package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.util.List;

import io.pseries.script.ScriptEngine;
import io.pseries.script.host.Checkpoints;
import io.pseries.script.test.CheckpointInvariance;
import io.pseries.script.test.TestResult;

/**
 * {@code --checkpoint-invariance}: a file runs straight and with checkpoints; the same run passes
 * with its checkpoints taken, a run whose observables differ fails naming the first difference,
 * and a machine a snapshot cannot cover is skipped with the reason said.
 */
class CheckpointInvarianceTest {
    static ScriptEngine engine;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        engine = new ScriptEngine();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private CheckpointRun run(String text, int points) throws IOException {
        return CheckpointRun.of(engine, dir, "c.test.js", text, points);
    }

    private static final String IPI_BURSTS = """
        it('IPI bursts on a booted guest', () => {
          const m = pseries.machine({ cpus: 4, icMode: 'xive', devices: [{ type: 'spapr-vty' }] });
          m.on('irq', () => {});
          m.boot();
          for (let r = 0; r < 6; r++) {
            for (let c = 0; c < 4; c++) m.guest.ipi(c, (c + 1 + r % 3) % 4);
            m.runUntilIdle();
          }
          m.irq(0x1100).pulse();
          m.runUntilIdle();
          assert.strictEqual(m.guest.stats().reduce((n, s) => n + s.ipis, 0), 24);
        });
        """;

    @Test
    void aBootedGuestsBurstsAreTheSameWithCheckpoints_everyPointTaken() throws IOException {
        CheckpointRun r = run(IPI_BURSTS, 5);
        assertEquals(0, r.result().failures(), r.output() + r.result());
        assertTrue(r.output().contains("5 checkpoints taken"), r.output());
        assertTrue(r.output().contains("no difference"), r.output());
        assertTrue(r.result().tests().stream().noneMatch(t -> t.name().equals(CheckpointInvariance.TEST)));
    }

    @Test
    void logsThatDiffer_areNamedByTheirFirstDifferentSegmentAndEvent() {
        List<Checkpoints.Line> a = List.of(new Checkpoints.Line("boundary 0 in t", "m0 m.runUntilIdle() at 0 ns; 2 events",
            List.of("m0 #1 irq present cpu=1", "m0 #2 guest handle cpu=1")));
        List<Checkpoints.Line> b = List.of(new Checkpoints.Line("boundary 0 in t", "m0 m.runUntilIdle() at 0 ns; 2 events (other)",
            List.of("m0 #1 irq present cpu=1", "m0 #2 guest handle cpu=2")));
        String d = CheckpointInvariance.firstDifference(a, b);
        assertTrue(d.contains("the runs differ at boundary 0 in t") && d.contains("event 1 of the segment")
            && d.contains("checkpointed 'm0 #2 guest handle cpu=2'"), d);
        assertEquals(null, CheckpointInvariance.firstDifference(a, a));
    }

    @Test
    void aFileThatDiffersFromItselfIsSkippedAsSuch_notBlamedOnTheCheckpoints() throws IOException {
        // RAM each run fills differently: no machine could make two runs of this file agree
        CheckpointRun r = run("""
            it('writes what differs', () => {
              const m = pseries.machine({ cpus: 2 });
              m.boot();
              m.runUntilIdle();
              m.mem.write64(0x100000n, BigInt(Math.floor(Math.random() * 2 ** 40)) + 1n);
            });
            """, 2);
        assertEquals(0, r.result().failures(), r.output());
        assertTrue(r.output().contains("skipped the file: not checked: two straight runs of the file differ from each other")
            && r.output().contains("RAM"), r.output());
    }

    /**
     * Machines that share a host are checkpointed as one group: the pass-through guest's NIC
     * interrupts still reach it through the {@code pseries.host} object the script holds, a
     * machine made after the checkpoint is named as in the straight run, and the host's running
     * totals ({@code m.host.stats()}) continue from the old host's.
     */
    @Test
    void machinesOnASharedHostAreCheckpointedAsAGroup() throws IOException {
        CheckpointRun r = run("""
            it('two machines on one host', () => {
              const NIC = '0000:01:00.0';
              const host = pseries.host({ pci: [{ addr: NIC, msix: 8, intx: true }, { addr: '0000:02:00.0', msix: 4 }] });
              const a = host.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on', devices: [{ type: 'vfio-pci', host: NIC }] });
              a.boot();
              const b = host.machine({ cpus: 1, icMode: 'xive', kernelIrqchip: 'on' });
              b.boot();
              a.runUntilIdle();
              const irq = a.host.vfio(NIC).guestIrqs[2];
              const taken = () => a.guest.stats().reduce((n, s) => n + (s.irqs[String(irq)] ?? 0), 0);
              for (let k = 0; k < 3; k++) {
                const before = taken();
                const stats = a.host.stats();
                a.runUntilIdle();
                assert.deepStrictEqual(a.host.stats(), stats, 'the totals continue across a checkpoint');
                host.pci(NIC).fire(2);
                a.runUntilIdle();
                assert.strictEqual(taken(), before + 1);
              }
              const c = host.machine({ cpus: 1, icMode: 'xive', devices: [{ type: 'vfio-pci', host: '0000:02:00.0' }] });
              assert.strictEqual(host.pci('0000:02:00.0').info().owner, 'qemu-vm2');
              c.runUntilIdle();
            });
            """, 8);
        assertEquals(0, r.result().failures(), r.output() + r.result());
        assertTrue(r.output().contains("8 checkpoints taken") && r.output().contains("no difference"), r.output());
    }

    /**
     * What a script opened or wired in a VMM itself (an eventfd, an irqfd on it, a function it took
     * with m.host.vfioOpen and armed with m.host.setIrqs) is carried by the host stream: at every
     * checkpoint the script's numbers keep working and m.host.links() looks the same.
     */
    @Test
    void descriptorsAScriptOpenedInAVmmKeepTheirNumbersAcrossCheckpoints() throws IOException {
        CheckpointRun r = run("""
            it('a script eventfd, irqfd and VFIO device', () => {
              const NIC = '0000:01:00.0';
              const NIC2 = '0000:02:00.0';
              const host = pseries.host({ pci: [{ addr: NIC, msix: 8, intx: true }, { addr: NIC2, msix: 4 }] });
              const a = host.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on', devices: [{ type: 'vfio-pci', host: NIC }] });
              a.boot();
              a.runUntilIdle();
              const fd = a.host.eventfd();
              const gsi = a.host.vfio(NIC).guestIrqs[5];
              assert.strictEqual(a.host.irqfd(gsi, fd).ret, 0);
              const dev = a.host.vfioOpen(NIC2).ret;
              assert.ok(dev > 0);
              assert.strictEqual(a.host.setIrqs(dev, 0, [fd]).ret, 0);
              const links = JSON.stringify(a.host.links());
              for (let k = 0; k < 3; k++) {
                a.runUntilIdle();
                assert.strictEqual(JSON.stringify(a.host.links()), links, 'links after a checkpoint');
                assert.strictEqual(a.host.signal(fd).ret, 0, 'the script eventfd still signals');
                assert.deepStrictEqual(a.host.vfioOpen(NIC2), { ret: -16, errno: 'EBUSY' }, 'the VMM still holds the function');
                assert.strictEqual(a.host.irqfd(gsi, fd).errno, 'EBUSY', 'the irqfd is still wired');
              }
              assert.strictEqual(host.pci(NIC2).info().owner, 'qemu-vm0');
            });
            """, 8);
        assertEquals(0, r.result().failures(), r.output() + r.result());
        assertTrue(r.output().contains("checkpoints taken") && !r.output().contains("skipped"), r.output());
        assertTrue(r.output().contains("no difference"), r.output());
    }

    /**
     * A checkpoint of a machine whose XIVE is in the kernel: the guest's later ESB access faults
     * as in the straight run (the stop and run handlers' own ESB loads leave no page behind), and
     * m.host shows the machine now in place, not the one the checkpoint replaced.
     */
    @Test
    void aCheckpointLeavesTheHostsFaultedEsbPagesAsTheyWere() throws IOException {
        CheckpointRun r = run("""
            it('faults after checkpoints', () => {
              const ESB = 0x0006_0100_0000_0000n;
              const m = pseries.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on' });
              m.cas({ xive: 'exploitation' });
              assert.strictEqual(m.hcall(0, 'H_INT_SET_QUEUE_CONFIG', 1, 0, 5, 0x1000000n, 16).rc, 0);
              for (const lisn of [0, 1]) {
                assert.strictEqual(m.hcall(0, 'H_INT_SET_SOURCE_CONFIG', 2, lisn, 0, 5, 0x40 + lisn).rc, 0);
              }
              const esb = () => m.host.vmas().find((v) => v.name === 'xive.esb-kvm')?.pagesMapped;
              /** @type {number[]} */
              const pages = [];
              m.on('fault', (e) => pages.push(Number(e.page)));
              for (const lisn of [0, 1]) {
                m.runUntilIdle();
                assert.strictEqual(esb(), lisn, 'the pages the guest faulted so far');
                m.load(0, ESB + 0x20000n * BigInt(lisn) + 0x10800n, 8);
              }
              assert.deepStrictEqual(pages, [1, 3], 'each management page faults on its first load by the guest');
            });
            """, 5);
        assertEquals(0, r.result().failures(), r.output() + r.result());
        assertTrue(r.output().contains("5 checkpoints taken"), r.output());
        assertTrue(r.output().contains("no difference"), r.output());
    }

    /**
     * A machine on a private host (pseries.machine) whose script opened an eventfd and wired an
     * irqfd on it: its checkpoint goes through the host stream, so both are still there after it
     * (a machine's own stream has no VMM file table).
     */
    @Test
    void aPrivateHostsScriptEventfdAndIrqfdSurviveACheckpoint() throws IOException {
        CheckpointRun r = run("""
            it('private host script eventfd', () => {
              const m = pseries.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on' });
              m.boot();
              const fd = m.host.eventfd();
              assert.strictEqual(m.host.irqfd(0x1300, fd).ret, 0);
              const devices = JSON.stringify(m.host.devices());
              for (let k = 0; k < 3; k++) {
                m.runUntilIdle();
                assert.strictEqual(m.host.signal(fd).ret, 0, 'still an eventfd of the VMM');
                assert.strictEqual(m.host.irqfd(0x1300, fd).errno, 'EBUSY', 'still wired');
                assert.strictEqual(JSON.stringify(m.host.devices()), devices);
              }
            });
            """, 6);
        assertEquals(0, r.result().failures(), r.output() + r.result());
        assertTrue(r.output().contains("checkpoints taken") && !r.output().contains("skipped"), r.output());
        assertTrue(r.output().contains("no difference"), r.output());
    }

    /**
     * Controllers in the kernel: the descriptor KVM_CREATE_DEVICE returns is the host's (a
     * restored VMM numbers its own), and the stop and run handlers' events during a checkpoint
     * do not shift the numbering of the script's later events.
     */
    @Test
    void inKernelControllers_theDevicesDescriptorAndTheCheckpointsOwnEventsAreNotObservables() throws IOException {
        CheckpointRun r = run("""
            it('in-kernel controllers across checkpoints', () => {
              const m = pseries.machine({ cpus: 2, icMode: 'dual', kernelIrqchip: 'on', devices: [{ type: 'spapr-vty' }] });
              m.on('kvm', () => {});
              m.runUntilIdle();
              m.runUntilIdle();
              m.boot();
              for (let r = 0; r < 3; r++) { m.guest.ipi(0, 1); m.runUntilIdle(); }
            });
            """, 6);
        assertEquals(0, r.result().failures(), r.output() + r.result());
        assertTrue(r.output().contains("6 checkpoints taken") && r.output().contains("no difference"), r.output());
    }
}
