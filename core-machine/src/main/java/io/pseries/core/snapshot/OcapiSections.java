package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.dev.pci.OcapiRfcHcalls;
import io.pseries.core.dev.pci.OcapiState;
import io.pseries.core.dev.pci.VfioPciDevice;
import io.pseries.core.irq.IrqSpace;

/**
 * What the OpenCAPI RFC hcalls (0xF004 ALLOC_IRQ / FREE_IRQ, {@code experimental:
 * ['ocapi-rfc-2019']}) leave behind: {@code ocapi/ID} for each passed-through function with an
 * AFU, in plug order, after the PCI sections and before the controllers' ({@link OcapiState}
 * says what each field holds and how a restore re-makes it). A machine without the option has
 * none; the configuration section tells the two apart. Optional: older streams, which could not
 * come from such a machine (their save refused it), load as no context open.
 *
 * <pre>
 *  load      every field checked (lengths, offsets, host IPI numbers, guest numbers in the MSI
 *            range and claimed by nothing else the restore keeps, AFU credits), the guest
 *            numbers declared ({@link IncomingClaims}) for the controllers' sections
 *  commit    (after the machine's beginRestore freed every AFU irq) the context and each AFU irq
 *            re-made on the host interrupt it had (another when that one is taken), its guest
 *            number claimed with level and raise count; the controllers' commits that follow
 *            install the source's state; the links follow when the in-kernel device connects
 * </pre>
 */
final class OcapiSections {
    private OcapiSections() {
    }

    static List<SnapshotSection> of(OcapiRfcHcalls ocapi) {
        List<SnapshotSection> l = new ArrayList<>();
        if (ocapi != null) {
            for (VfioPciDevice d : OcapiState.functions(ocapi)) {
                l.add(new Function(ocapi, d));
            }
        }
        return l;
    }

    static final class Function implements SnapshotSection {
        static final String PREFIX = "ocapi/";
        private static final Schema SCHEMA = Schema.of("context", FieldType.BOOL, "offsets", FieldType.LONGS,
            "hwIrqs", FieldType.INTS, "lisns", FieldType.INTS, "levels", FieldType.BYTES, "raises", FieldType.LONGS);
        private final OcapiRfcHcalls ocapi;
        private final VfioPciDevice d;

        Function(OcapiRfcHcalls ocapi, VfioPciDevice d) {
            this.ocapi = ocapi;
            this.d = d;
        }

        @Override
        public String name() {
            return PREFIX + d.id();
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public Schema schema() {
            return SCHEMA;
        }

        /** Came after the first format: an older stream (none could hold an AFU irq) loads as no context. */
        @Override
        public boolean optional() {
            return true;
        }

        @Override
        public Runnable loadAbsent() {
            return () -> OcapiState.install(ocapi, d, null);
        }

        @Override
        public void save(SectionWriter w) {
            OcapiState.Function s = OcapiState.capture(ocapi, d);
            w.bool("context", s.context()).longs("offsets", s.offsets()).ints("hwIrqs", s.hwIrqs())
                .ints("lisns", s.lisns()).bytes("levels", s.levels()).longs("raises", s.raises());
        }

        @Override
        public Runnable load(SectionReader r) {
            OcapiState.Function s = new OcapiState.Function(r.bool("context"), r.longs("offsets"), r.ints("hwIrqs"),
                r.ints("lisns"), r.bytes("levels"), r.longs("raises"));
            IncomingClaims claims = r.claims();
            IrqSpace space = ocapi.irqSpace();
            String why = OcapiState.invalid(ocapi, d, s, irq -> claims.declared(irq)
                || (space.isClaimed(irq) && !space.isMsiAllocated(irq)));
            if (why != null) {
                throw r.refuse(why);
            }
            for (int lisn : s.lisns()) {
                claims.declare(lisn, 1);
            }
            return () -> OcapiState.install(ocapi, d, s);
        }
    }
}
