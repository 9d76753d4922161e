package io.pseries.core.snapshot;

import java.util.Map;
import java.util.function.Function;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.host.Vma;

/**
 * Live migration of a machine to another (QEMU's migrate, reduced to one stream of the
 * machine's sections; RAM goes with them, so there is no pre-copy phase):
 *
 * <pre>
 *  source       stop (vCPUs out; an in-kernel XIVE latches every valid source whose PQ is not
 *               01 to 10, saving the old PQ, then EQ_SYNC)  ──► pre_save ──► stream
 *  destination  made from the stream's configuration (or given) ──► load: every section
 *               validated, committed, re-derived ──► its own in-kernel device connected and fed
 *               (EQ_CONFIG, GRP_SOURCE, SOURCE_CONFIG, VP_STATE) ──► run: saved PQs back,
 *               a source saved at 00 and found at 11 re-triggered
 *  failure      the source runs again and the error is thrown; the destination is unusable
 * </pre>
 *
 * The state is the same whichever side served the controllers, so a source with
 * {@code kernelIrqchip: 'on'} migrates to one with 'off' and back. The source stays stopped
 * after a successful migration (QEMU's postmigrate state).
 *
 * <p>Threading: the machines' thread.
 */
public final class Migration {
    private Migration() {
    }

    /** What a migration did: the destination and the stream's size in bytes. */
    public record Result(Machine destination, int bytes) {
    }

    /**
     * Migrates {@code src} into the machine {@code makeDestination} returns for the source's
     * configuration (a new machine of it, or one given).
     */
    public static Result migrate(Machine src, Function<MachineConfig, Machine> makeDestination) {
        boolean wasRunning = src.running();
        Map<Vma, long[]> faulted = HostSection.faultedPages(src);
        src.stop("it was migrated away with pseries.migrate; its state lives on in the destination");
        Machine dst = null;
        byte[] stream;
        try {
            stream = MachineSnapshot.saveStopped(src, wasRunning ? faulted : null);
            dst = makeDestination.apply(src.config());
            if (dst == src) {
                throw new IllegalArgumentException("pseries.migrate: the destination is the source machine itself");
            }
            dst.restoreIncoming(stream);
        } catch (RuntimeException e) {
            if (wasRunning) {
                src.cont();
            }
            throw e;
        }
        if (wasRunning) {
            dst.cont();
        }
        return new Result(dst, stream.length);
    }
}
