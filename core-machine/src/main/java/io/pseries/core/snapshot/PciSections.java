package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.dev.pci.PciDevice;
import io.pseries.core.dev.pci.PciRuntimeState;
import io.pseries.core.dev.pci.SpaprPhb;
import io.pseries.core.irq.IrqSpace;

/**
 * The PCI model's run-time state: {@code pci/phb/N} for the host bridge (its DMA windows), then
 * {@code pci/ID} for each function in plug order (command and interrupt-line registers, INTx
 * level, the MSIs ibm,change-msi gave it with each line's level and raise count, and its MSI-X
 * message control, vector table and pending bits). Both optional: streams from before them load
 * as functions in their reset state (those streams could not hold allocated MSIs).
 *
 * <pre>
 *  load      the bridge's windows checked; each function's allocation checked against the MSI
 *            range, its capabilities and every other claim the restore keeps, then declared
 *            ({@link IncomingClaims}) for the controllers' sections, which load after these
 *  commit    bridge: every allocation released, pass-through vectors disarmed; then per function:
 *            numbers reserved, lines claimed in every controller (level, raise count), registers
 *            and MSI-X installed; the controllers' commits that follow install their source state
 *  rederive  the bridge's LSI counts from the INTx levels
 *  postLoad  pass-through functions arm their enabled vectors again (irqfds; set_mapped links)
 * </pre>
 */
final class PciSections {
    private PciSections() {
    }

    /** {@code ocapi}: the OpenCAPI RFC hcalls when enabled (their AFU irqs hold MSI numbers too), else null. */
    static List<SnapshotSection> of(SpaprPhb phb, io.pseries.core.dev.pci.OcapiRfcHcalls ocapi) {
        List<SnapshotSection> l = new ArrayList<>();
        l.add(new Phb(phb, ocapi));
        for (PciDevice d : phb.devices()) {
            l.add(new Function(phb, d));
        }
        return l;
    }

    private abstract static class Optional implements SnapshotSection {
        @Override
        public int version() {
            return 1;
        }

        @Override
        public boolean optional() {
            return true;
        }
    }

    private static final class Phb extends Optional {
        private static final Schema SCHEMA = Schema.of("dmaEnabled", FieldType.BYTES, "dmaPageShift", FieldType.INTS,
            "dmaSize", FieldType.LONGS);
        private final SpaprPhb phb;
        private final io.pseries.core.dev.pci.OcapiRfcHcalls ocapi;

        Phb(SpaprPhb phb, io.pseries.core.dev.pci.OcapiRfcHcalls ocapi) {
            this.phb = phb;
            this.ocapi = ocapi;
        }

        @Override
        public String name() {
            return "pci/phb/" + phb.index();
        }

        @Override
        public Schema schema() {
            return SCHEMA;
        }

        @Override
        public void save(SectionWriter w) {
            int unheld = PciRuntimeState.unheldMsi(phb, io.pseries.core.dev.pci.OcapiState.heldMsis(ocapi));
            if (unheld >= 0) {
                throw new SnapshotException(name(), String.format("interrupt 0x%x is allocated from the MSI range but no"
                    + " PCI function or AFU irq holds it; snapshots of it are not supported in this version", unheld));
            }
            PciRuntimeState.Phb s = PciRuntimeState.capture(phb);
            byte[] en = new byte[s.dmaEnabled().length];
            for (int i = 0; i < en.length; i++) {
                en[i] = (byte) (s.dmaEnabled()[i] ? 1 : 0);
            }
            w.bytes("dmaEnabled", en).ints("dmaPageShift", s.dmaPageShift()).longs("dmaSize", s.dmaSize());
        }

        @Override
        public Runnable load(SectionReader r) {
            byte[] en = r.bytes("dmaEnabled");
            boolean[] enabled = new boolean[en.length];
            for (int i = 0; i < en.length; i++) {
                if ((en[i] & 0xfe) != 0) {
                    throw r.refuse("field 'dmaEnabled' holds " + en[i] + " for window " + i + ", not 0 or 1");
                }
                enabled[i] = en[i] != 0;
            }
            PciRuntimeState.Phb s = new PciRuntimeState.Phb(enabled, r.ints("dmaPageShift"), r.longs("dmaSize"));
            String why = PciRuntimeState.invalid(phb, s);
            if (why != null) {
                throw r.refuse(why);
            }
            return () -> PciRuntimeState.beginPhb(phb, s);
        }

        @Override
        public Runnable loadAbsent() {
            return () -> PciRuntimeState.beginPhb(phb, null);
        }

        @Override
        public void rederive() {
            PciRuntimeState.rederive(phb);
        }

        @Override
        public void postLoad() {
            PciRuntimeState.postLoad(phb);
        }
    }

    private static final class Function extends Optional {
        private static final Schema SCHEMA = Schema.of("command", FieldType.U32, "interruptLine", FieldType.U8,
            "intx", FieldType.BOOL, "msiType", FieldType.U8, "msiFirst", FieldType.U32, "msiCount", FieldType.U32,
            "msiLevels", FieldType.BYTES, "msiRaises", FieldType.LONGS, "msixControl", FieldType.U32,
            "msixTable", FieldType.INTS, "msixPba", FieldType.LONGS);
        private final SpaprPhb phb;
        private final PciDevice d;

        Function(SpaprPhb phb, PciDevice d) {
            this.phb = phb;
            this.d = d;
        }

        @Override
        public String name() {
            return "pci/" + d.id();
        }

        @Override
        public Schema schema() {
            return SCHEMA;
        }

        @Override
        public void save(SectionWriter w) {
            PciRuntimeState.Function s = PciRuntimeState.capture(d);
            w.u32("command", s.command()).u8("interruptLine", s.interruptLine()).bool("intx", s.intx())
                .u8("msiType", s.msiType()).u32("msiFirst", s.msiFirst()).u32("msiCount", s.msiCount())
                .bytes("msiLevels", s.msiLevels()).longs("msiRaises", s.msiRaises())
                .u32("msixControl", s.msixControl()).ints("msixTable", s.msixTable()).longs("msixPba", s.msixPba());
        }

        @Override
        public Runnable load(SectionReader r) {
            PciRuntimeState.Function s = new PciRuntimeState.Function(r.u32("command"), r.u8("interruptLine"),
                r.bool("intx"), r.u8("msiType"), r.u32("msiFirst"), r.u32("msiCount"), r.bytes("msiLevels"),
                r.longs("msiRaises"), r.u32("msixControl"), r.ints("msixTable"), r.longs("msixPba"));
            IncomingClaims claims = r.claims();
            IrqSpace space = phb.irqSpace();
            String why = PciRuntimeState.invalid(d, s, irq -> claims.declared(irq)
                || (space.isClaimed(irq) && !space.isMsiAllocated(irq)));
            if (why != null) {
                throw r.refuse(why);
            }
            claims.declare(s.msiFirst(), s.msiCount());
            return () -> PciRuntimeState.install(d, s);
        }

        @Override
        public Runnable loadAbsent() {
            return () -> PciRuntimeState.install(d, null);
        }
    }
}
