package io.pseries.core.snapshot;

import io.pseries.core.Machine;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.intc.InterruptController;

/**
 * The CAS outcome (QEMU migrates {@code ov5_cas} with the machine): the negotiated option
 * vector 5 and the active controller. The active controller is a function of the vector
 * ({@code spapr_irq_update_active_intc}); it is written too, and a stream where the two
 * disagree is refused as corrupt.
 */
final class CasSection implements SnapshotSection {
    private static final Schema SCHEMA = Schema.of("ov5", FieldType.BYTES, "active", FieldType.STRING);

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
        return 1;
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    @Override
    public void save(SectionWriter w) {
        w.bytes("ov5", m.ov5Cas().encode()).string("active", m.icMode());
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
        return () -> {
            m.casNegotiation().restore(ov5);
            m.controllerSet().restoreActive(c);
        };
    }
}
