package io.pseries.core.drc;

import io.pseries.core.mem.GuestMemory;
import io.pseries.core.rtas.RtasCall;
import io.pseries.core.rtas.RtasStatus;
import io.pseries.core.rtas.RtasTable;

/**
 * The RTAS calls that drive DR connectors and their sensors, as QEMU 7.2's spapr_drc.c serves
 * them: {@code set-indicator} (isolation, DR indicator, allocation), {@code get-sensor-state}
 * (entity sense), {@code set-power-level}/{@code get-power-level} (the single live-insert power
 * domain -1, always at level 100) and {@code ibm,configure-connector}.
 *
 * <p>{@code ibm,configure-connector} hands out the device-tree fragment of a hot-plugged device;
 * the model has no hot-plug, so a connector that QEMU would walk answers -9003 (not
 * configurable) and an already configured one success, as QEMU does for a configured connector.
 * Confined to the machine's thread.
 */
public final class DrcRtas {
    public static final int SENSOR_ISOLATION_STATE = 9001;
    public static final int SENSOR_DR_INDICATOR = 9002;
    public static final int SENSOR_ALLOCATION_STATE = 9003;
    /** Entity sense shares the allocation-state number (PAPR). */
    public static final int SENSOR_ENTITY_SENSE = 9003;
    public static final int ENTITY_EMPTY = 0;
    public static final int ENTITY_PRESENT = 1;
    public static final int ENTITY_UNUSABLE = 2;
    public static final int CC_NOT_CONFIGURABLE = -9003;
    public static final int CC_SUCCESS = 0;

    private final DrcTable drcs;
    private final GuestMemory memory;

    public DrcRtas(DrcTable drcs, GuestMemory memory) {
        this.drcs = drcs;
        this.memory = memory;
    }

    public void register(RtasTable t) {
        t.register("set-indicator", 1, this::setIndicator);
        t.register("get-sensor-state", 2, this::getSensorState);
        t.register("set-power-level", 2, c -> powerLevel(c, 2));
        t.register("get-power-level", 2, c -> powerLevel(c, 1));
        t.register("ibm,configure-connector", 1, this::configureConnector);
    }

    private static void powerLevel(RtasCall c, int nargs) {
        if (c.nargs() != nargs || c.nret() != 2) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        if ((int) c.arg(0) != -1) {
            c.status(RtasStatus.NOT_SUPPORTED);
            return;
        }
        c.status(RtasStatus.SUCCESS);
        c.ret(1, 100);
    }

    private void setIndicator(RtasCall c) {
        if (c.nargs() != 3 || c.nret() != 1) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        int type = (int) c.arg(0);
        Drc d = drcs.byIndex(c.arg(1));
        long state = c.arg(2);
        int rc = switch (type) {
            case SENSOR_ISOLATION_STATE -> d == null ? RtasStatus.NO_SUCH_INDICATOR : isolation(d, state);
            case SENSOR_DR_INDICATOR -> {
                if (d == null) {
                    yield RtasStatus.NO_SUCH_INDICATOR;
                }
                d.drIndicator(state);
                yield RtasStatus.SUCCESS;
            }
            case SENSOR_ALLOCATION_STATE -> d == null || !d.kind().logical() ? RtasStatus.NO_SUCH_INDICATOR
                : allocation(d, state);
            default -> RtasStatus.NOT_SUPPORTED;
        };
        c.status(rc);
    }

    /** Isolation: 0 isolates, 1 unisolates (PAPR 13.5.3.3). */
    private static int isolation(Drc d, long state) {
        if (state != 0 && state != 1) {
            return RtasStatus.PARAM_ERROR;
        }
        boolean isolate = state == 0;
        Drc.State s = d.state();
        if (d.kind().logical()) {
            if (isolate) {
                return switch (s) {
                    case LOGICAL_AVAILABLE, LOGICAL_UNUSABLE -> RtasStatus.SUCCESS;
                    case LOGICAL_UNISOLATE -> RtasStatus.PARAM_ERROR;
                    default -> {
                        d.state(Drc.State.LOGICAL_AVAILABLE);
                        yield RtasStatus.SUCCESS;
                    }
                };
            }
            return switch (s) {
                case LOGICAL_UNISOLATE, LOGICAL_CONFIGURED -> RtasStatus.SUCCESS;
                case LOGICAL_UNUSABLE -> RtasStatus.NO_SUCH_INDICATOR;
                default -> {
                    d.state(Drc.State.LOGICAL_UNISOLATE);
                    yield RtasStatus.SUCCESS;
                }
            };
        }
        if (isolate) {
            return switch (s) {
                case PHYSICAL_POWERON -> RtasStatus.SUCCESS;
                case PHYSICAL_UNISOLATE -> RtasStatus.PARAM_ERROR;
                default -> {
                    d.state(Drc.State.PHYSICAL_POWERON);
                    yield RtasStatus.SUCCESS;
                }
            };
        }
        if (s == Drc.State.PHYSICAL_UNISOLATE || s == Drc.State.PHYSICAL_CONFIGURED) {
            return RtasStatus.SUCCESS;
        }
        if (!d.attached()) {
            return RtasStatus.NO_SUCH_INDICATOR;
        }
        d.state(Drc.State.PHYSICAL_UNISOLATE);
        return RtasStatus.SUCCESS;
    }

    /** Allocation (logical connectors only): 1 usable, 0 unusable. */
    private static int allocation(Drc d, long state) {
        Drc.State s = d.state();
        if (state == 1) {
            if (s != Drc.State.LOGICAL_UNUSABLE) {
                return RtasStatus.SUCCESS;
            }
            if (!d.attached()) {
                return RtasStatus.NO_SUCH_INDICATOR;
            }
            d.state(Drc.State.LOGICAL_AVAILABLE);
            return RtasStatus.SUCCESS;
        }
        if (state == 0) {
            return switch (s) {
                case LOGICAL_UNUSABLE -> RtasStatus.SUCCESS;
                case LOGICAL_AVAILABLE -> {
                    d.state(Drc.State.LOGICAL_UNUSABLE);
                    yield RtasStatus.SUCCESS;
                }
                default -> RtasStatus.PARAM_ERROR;
            };
        }
        return RtasStatus.PARAM_ERROR;
    }

    private void getSensorState(RtasCall c) {
        if (c.nargs() != 2 || c.nret() != 2) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        if ((int) c.arg(0) != SENSOR_ENTITY_SENSE) {
            c.status(RtasStatus.NOT_SUPPORTED);
            c.ret(1, 0);
            return;
        }
        Drc d = drcs.byIndex(c.arg(1));
        if (d == null) {
            c.status(RtasStatus.PARAM_ERROR);
            c.ret(1, 0);
            return;
        }
        c.status(RtasStatus.SUCCESS);
        c.ret(1, entitySense(d));
    }

    /** A slot senses its device; a logical connector is present unless unusable. */
    static int entitySense(Drc d) {
        if (!d.kind().logical()) {
            return d.attached() ? ENTITY_PRESENT : ENTITY_EMPTY;
        }
        return d.state() == Drc.State.LOGICAL_UNUSABLE ? ENTITY_UNUSABLE : ENTITY_PRESENT;
    }

    private void configureConnector(RtasCall c) {
        if (c.nargs() != 2 || c.nret() != 1) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        long workArea = (c.arg(1) << 32) | c.arg(0);
        if (!memory.contains(workArea, 4)) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        Drc d = drcs.byIndex(memory.read32(workArea) & 0xffff_ffffL);
        if (d == null) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        c.status(switch (d.state()) {
            case LOGICAL_CONFIGURED, PHYSICAL_CONFIGURED -> CC_SUCCESS;
            default -> CC_NOT_CONFIGURABLE;
        });
    }
}
