package io.pseries.core.snapshot;

import io.pseries.core.Machine;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.cas.PvrList;
import io.pseries.core.intc.InterruptController;

/**
 * The CAS outcome (QEMU migrates {@code ov5_cas} with the machine, and each vCPU's
 * {@code compat_pvr}): the negotiated option vector 5, the active controller, the compatibility
 * PVR the vCPUs run at (the post-CAS tree's {@code cpu-version}) and whether the guest lacked ISA
 * 3.00 in option vector 1. The active controller is a function of the vector
 * ({@code spapr_irq_update_active_intc}); it is written too, and a stream where the two
 * disagree is refused as corrupt.
 *
 * <p>Version 2 added {@code compatPvr} and {@code preIsa3}. A version 1 stream is upgraded as the
 * only guest that could have negotiated then would have: after a CAS (a non-empty vector) the
 * compat PVR QEMU selects for Linux 6.1's PVR list on POWER9, before it none.
 */
final class CasSection implements SnapshotSection {
    private static final Schema SCHEMA = Schema.of("ov5", FieldType.BYTES, "active", FieldType.STRING,
        "compatPvr", FieldType.I64, "preIsa3", FieldType.BOOL);

    private final Machine m;

    CasSection(Machine m) {
        this.m = m;
    }

    @Override
    public String name() {
        return "cas";
    }

    @Override
    public int version() {
        return 2;
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    @Override
    public void save(SectionWriter w) {
        w.bytes("ov5", m.ov5Cas().encode()).string("active", m.icMode())
            .i64("compatPvr", m.casNegotiation().compatPvr()).bool("preIsa3", m.casNegotiation().preIsa3Guest());
    }

    @Override
    public Runnable load(SectionReader r) {
        byte[] enc = r.bytes("ov5");
        OptionVector ov5;
        try {
            ov5 = OptionVector.decode(enc);
        } catch (IllegalArgumentException e) {
            throw r.refuse("field 'ov5': " + e.getMessage());
        }
        if (enc.length != (enc[0] & 0xff) + 2) {
            throw r.refuse("field 'ov5' has " + enc.length + " bytes, its length byte says " + ((enc[0] & 0xff) + 2));
        }
        String active = r.string("active");
        InterruptController c = m.controller(active);
        if (c == null) {
            throw r.refuse("field 'active' names controller '" + active + "', which this machine does not have");
        }
        InterruptController chosen = m.controllerSet().choose(ov5);
        if (chosen != c) {
            throw r.refuse("field 'active' is '" + active + "' but the negotiated vector selects '" + chosen.name() + "'");
        }
        long compatPvr;
        boolean preIsa3;
        if (r.version() == 1) {
            boolean negotiated = !ov5.isEmpty();
            compatPvr = negotiated ? PvrList.LINUX_6_1.select(PvrList.POWER9_PVR).compatPvr() : 0;
            preIsa3 = false;
        } else {
            compatPvr = r.i64("compatPvr");
            preIsa3 = r.bool("preIsa3");
            if (compatPvr != 0 && !PvrList.isArchitectedCompat(compatPvr)) {
                throw r.refuse(String.format("field 'compatPvr' is 0x%x, which is not a compatibility PVR", compatPvr));
            }
        }
        return () -> {
            m.casNegotiation().restore(ov5, compatPvr, preIsa3);
            m.controllerSet().restoreActive(c);
        };
    }
}
