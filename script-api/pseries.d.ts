// Type declarations for the pseries JavaScript API.
//
// Scripts run as ES modules with a global `pseries`. Reference this file from a script with
//   /// <reference path="../script-api/pseries.d.ts" />
// or list it in a jsconfig/tsconfig "files" entry to get editor completion and `tsc --checkJs`.
//
// Integers: every integer argument accepts a number or a BigInt; every integer result is a
// number when it is a safe integer (|v| <= 2^53 - 1) and a BigInt otherwise. 64-bit register
// values are signed two's complement (all-ones is -1). MMIO values are the architected
// big-endian register values.

export {};

declare global {
  // Files: a script may import modules and JSON from its own directory tree, and from the
  // directories given with --allow-read DIR; other paths are refused with an Error naming them.
  //
  // Errors: everything the API throws is a JS Error, TypeError or RangeError (m.cas: a CasError)
  // whose message names what was wrong; sizes and counts past a limit are RangeErrors naming the
  // limit; a runaway recursion through the machine is the RangeError "Maximum call stack size
  // exceeded"; running out of Java heap is a RangeError telling how to raise it.

  /** An integer argument: a JS number (integral, safe) or a BigInt. */
  type Int = number | bigint;

  /** The pseries API. */
  const pseries: Pseries;

  interface Pseries {
    /** Creates a machine. An invalid option throws an Error naming the option, the bad value and the valid ones. */
    machine(options?: MachineOptions): Machine;
    /**
     * One combination of the layout laboratory (what `./pseries layout` runs): a XIVE machine with
     * `cpus` vCPUs and `sources` device interrupts claimed from 0x1300 (nrIrqs grows to fit), the guest
     * booted, each source's ESB management page read once, one IPI from every vCPU to the next.
     * Defaults: 1 vCPU, 1024 sources, 'window', kernelIrqchip 'on', Linux 6.1's limits.
     */
    layout(options: LayoutOptions): LayoutRow;
    /**
     * A physical host several machines share (`host.machine(config)`), with PCI functions that
     * `{ type: 'vfio-pci', host: ADDR }` devices pass through. `pseries.machine` keeps a private host.
     * Options: the `host` machine option's keys (xive, xicsOnXive, pageSize, memSlots, maxMapCount,
     * esbMapping), `pci` and `irqBypass` (the kvm_irq_bypass module parameter, default true).
     */
    host(options?: PhysicalHostOptions): PhysicalHost;
    /**
     * A new machine of the configuration recorded in a snapshot (machine defaults do not apply),
     * with the snapshot restored into it. A truncated, corrupt, too-new or otherwise bad stream
     * throws an Error "snapshot section 'NAME': REASON" (or "snapshot section 'header': ...").
     */
    restore(bytes: Uint8Array): Machine;
    /**
     * `pseries.restore` of a snapshot file (one `m.save(path)` wrote). The file is read under the
     * same rules as the script's other reads: its own directory tree and the `--allow-read DIR`
     * trees (`pseries.test.allowRead` under JUnit); another path throws an Error saying so, a
     * missing file "pseries.load: no such file: PATH", a bad stream the errors of `pseries.restore`.
     */
    load(path: string): Machine;
    /**
     * Live migration: stops `src`, streams its state and loads it into `options.dst` (a machine
     * of the same configuration; its `kernelIrqchip` may differ) or into a new machine of the
     * source's configuration (`options.kernelIrqchip` replacing the source's), which then runs
     * and is returned. With an in-kernel XIVE the source's stop latches every valid source whose
     * PQ is not 01 to 10 (the old PQ is what migrates) and syncs the queues (EQ_SYNC); the
     * destination connects its own device, pushes queues, sources and VP states, and gives the
     * PQs back when it runs, re-triggering a source saved at 00 and found at 11. The source
     * stays stopped (`src.running` is false; its hcalls, loads, stores and runs throw). If the
     * load fails the source runs again and the error ("snapshot section 'NAME': REASON") is thrown.
     */
    migrate(src: Machine, options?: { dst?: Machine; kernelIrqchip?: 'off' | 'on' | 'allowed' }): Machine;
    /** The pseries version. */
    readonly version: string;
    /** The interrupt-controller modes the installed plugins offer, e.g. ['xics', 'xive', 'dual']. */
    readonly icModes: string[];
    /** Whether JavaScript runs on the optimizing runtime (true) or the interpreter (false). */
    readonly optimized: boolean;
    /** The arguments given after the script name on the command line. */
    readonly args: string[];
  }

  interface LayoutOptions {
    cpus?: number;
    sources?: number;
    mapping?: 'window' | 'per-source';
    kernelIrqchip?: 'off' | 'on' | 'allowed';
    /** KVM_USER_MEM_SLOTS and vm.max_map_count of the host. */
    memSlots?: number;
    maxMapCount?: number;
  }

  interface LayoutRow {
    cpus: number; sources: number; mapping: 'window' | 'per-source'; kernelIrqchip: string; nrIrqs: number;
    /** Device VMAs and KVM memory slots (guest RAM's excluded). */
    vmas: number; memslots: number;
    bytesMapped: number | bigint; pagesMapped: number; faults: number; zaps: number; ipisAllocated: number;
    /** IPIs taken on the hot path and the VMM exits each cost (null when none was taken). */
    ipis: number; vmmExitsPerIpi: number | null;
    /** Mappings that failed, and the first one's message (or the machine's error when the host refused it). */
    failures: number; failure: string | null;
  }

  interface MachineOptions {
    /** Number of vCPUs, 1..4096, a multiple of `threads`. Default 1. */
    cpus?: number;
    /**
     * Threads per core, as QEMU's `-smp N,threads=T`: 1, 2, 4 or 8. Default 1. The device tree has
     * one cpu node per core, its `ibm,ppc-interrupt-server#s` listing the threads' vCPU ids.
     */
    threads?: number;
    /**
     * QEMU's `vsmt` machine property: core k's threads get vCPU ids k * vsmt + 0..threads-1 (the
     * XIVE target, the XICS server), and there are ceil(cpus * vsmt / threads) server numbers.
     * 1, 2, 4 or 8, at least `threads`. Default: `threads` (ids 0..cpus-1).
     */
    vsmt?: number;
    /** Interrupt-controller mode, as QEMU's ic-mode. Default 'dual'. */
    icMode?: 'xics' | 'xive' | 'dual' | string;
    /**
     * QEMU's kernel-irqchip. 'off' (default): the VMM emulates the interrupt controller (every ESB,
     * TIMA access and interrupt hcall exits to it). 'on': the active controller is the simulated
     * host kernel's KVM device (XIVE native or XICS-on-XIVE), connected at every switch (creation,
     * CAS, reset); a host without it makes the machine fail with QEMU's "kernel_irqchip requested
     * but unavailable: ..." message. 'allowed': the same, but falls back to emulation with QEMU's
     * warning (m.warnings). 'split' is refused, as on QEMU's pseries. Guest-visible results are the
     * same in every mode; exits and their virtual-time cost differ.
     */
    kernelIrqchip?: 'off' | 'on' | 'allowed';
    /** The simulated host: its kernel's capabilities and its VMM's limits. */
    host?: HostOptions;
    /** Guest RAM: bytes or a size string such as '512M' or '1G'. Default '1G'. */
    memory?: Int | string;
    /** Devices in creation order. Default [{ type: 'spapr-vty' }]. */
    devices?: DeviceOptions[];
    /** Seed of every pseudo-random choice: same configuration and seed, same run. Default 0. */
    seed?: Int;
    /**
     * Interrupt numbers of the machine: XIVE sources 0..nrIrqs-1, the device range
     * [0x1000, nrIrqs) shared with the XICS ICS, MSIs from 0x1300 (the PHB's ibm,pe-total-#msi is
     * nrIrqs - 0x1300). Default 0x2000, QEMU's; up to 0x100000 (the KVM XIVE device's range), for
     * layouts with many thousands of sources.
     */
    nrIrqs?: number;
    /**
     * Add `#address-cells = <0>` to interrupt providers so that dtc is quiet. Default false:
     * QEMU's tree, which lacks it (Linux reads a missing value as 0).
     */
    dtcClean?: boolean;
    /** QEMU's x-vof=on: the Virtual Open Firmware path's /chosen properties (bootargs, stdout). Default false. */
    xVof?: boolean;
    /**
     * H_INT_ESB load results: 'papr' (default) the ESB byte in R4's low bits; 'qemu' in R4's top
     * byte, as QEMU 7.2 on a little-endian host returns it (bit-for-bit with QEMU).
     */
    esbLoads?: 'papr' | 'qemu';
    /**
     * Interfaces that exist only as proposals, enabled by name. 'ocapi-rfc-2019': the October 2019
     * RFC's OpenCAPI hcalls (H_OCXL_CONFIG_ADAPTER 0xF004 with ALLOC_IRQ and FREE_IRQ; 0xF005-0xF007
     * answer H_FUNCTION), never merged in Linux or QEMU. Snapshots and migrations carry its AFU
     * interrupts (section ocapi/ID: LISNs, host IPIs, the VMM's context); a stream restores only into
     * a machine with the same proposals.
     */
    experimental?: 'ocapi-rfc-2019'[];
    /**
     * Host threads for throughput: 1 (the default) is the deterministic mode, every vCPU on the
     * script's thread in virtual-time order. More (up to 64, at most `cpus`) split the vCPUs into
     * that many contiguous domains, each on a host thread of its own, for `m.guest.ipis(pairs,
     * { paced: false })` only (everything else, paced runs included, stays deterministic). Each
     * vCPU takes the IPIs it takes in the deterministic mode and the controller ends in the same
     * state; the virtual time after such a call is the latest domain's clock, which can differ.
     * Such a call is refused, with the reason, on a XICS guest (H_IPI is an hcall), with the
     * in-kernel controller, while the trace records or has listeners (`m.recordEvents(n)`, `m.on`; a
     * test run that keeps failure artifacts records: `m.recordEvents(0)` stops it), during a
     * checkpoint-invariance run, or while events are pending. Not guest-visible, not in snapshots.
     */
    hostThreads?: number;
  }

  /** The simulated host (machine option `host`); every field optional, defaults: a POWER9 host. */
  interface HostOptions {
    /** The kernel has the native XIVE device (KVM_DEV_TYPE_XIVE). Default true. */
    xive?: boolean;
    /** The kernel has the XICS-on-XIVE device (KVM_DEV_TYPE_XICS). Default true. */
    xicsOnXive?: boolean;
    /** Host page size. Default '64K'. */
    pageSize?: '64K' | '4K';
    /** KVM's user memory slot limit (KVM_USER_MEM_SLOTS). Default 32767, Linux 6.1 on ppc64. */
    memSlots?: number;
    /** The VMM's vm.max_map_count. Default 65530. */
    maxMapCount?: number;
    /**
     * How the VMM maps the XIVE ESB pages: 'window' (default; one mmap of the device's ESB window and
     * one memory slot, pages demand-faulted, as KVM and QEMU do) or 'per-source' (one VMA and one
     * memory slot per source's page pair: the layout the design rejected; it reaches the limits above).
     */
    esbMapping?: 'window' | 'per-source';
  }

  /** MachineOptions as m.config returns them: every default filled in, memory in bytes. */
  interface ResolvedMachineOptions extends MachineOptions {
    cpus: number;
    threads: number;
    vsmt: number;
    icMode: 'xics' | 'xive' | 'dual' | string;
    kernelIrqchip: 'off' | 'on' | 'allowed';
    memory: number | bigint;
    devices: DeviceOptions[];
    seed: number | bigint;
    nrIrqs: number;
    dtcClean: boolean;
    xVof: boolean;
    esbLoads: 'papr' | 'qemu';
    /** The proposals the machine enables (`experimental`), [] by default. */
    experimental: 'ocapi-rfc-2019'[];
    hostThreads: number;
  }

  /**
   * A device. VIO devices get a reg from 0x71000000 in creation order and the interrupt
   * 0x1100 | (reg & 0xff). The machine always has its own spapr-nvram, created after the
   * leading spapr-vty consoles (QEMU's -serial consoles): with a console first it is
   * 0x71000001 (IRQ 0x1101) and the next VIO device 0x71000002. Naming a spapr-nvram is an error
   * (QEMU 7.2 aborts on a second one). PCI devices sit on the PCI host bridge (pci@800000020000000, LSIs
   * 0x1200-0x1203, MSIs allocated from 0x1300 by the guest's ibm,change-msi) or behind a
   * pci-bridge named by `bus`; `addr` is the slot (default: the first free one).
   */
  type DeviceOptions =
    | { type: 'spapr-vty'; reg?: Int; id?: string }
    | { type: 'spapr-vlan'; reg?: Int; id?: string; mac?: string }
    /** MSI-X with `vectors` table entries (default 4, as QEMU's virtio-net-pci); `msi` is an alias. */
    | { type: 'virtio-net-pci'; id?: string; bus?: string; addr?: Int; vectors?: Int; msi?: Int }
    /** INTx only by default (vectors 0): an LSI through the host bridge's interrupt-map. */
    | { type: 'virtio-blk-pci'; id?: string; bus?: string; addr?: Int; vectors?: Int; msi?: Int }
    /** A PCI-to-PCI bridge; devices name its id as their `bus`. */
    | { type: 'pci-bridge'; id?: string; bus?: string; addr?: Int }
    /** A host PCI function passed through (machines of pseries.host): `host` is its address; another VM holding it: EBUSY. */
    | { type: 'vfio-pci'; host: string; id?: string; bus?: string; addr?: Int };

  interface HcallResult {
    /** R3: H_SUCCESS = 0, H_FUNCTION = -2, H_PARAMETER = -4, H_P2 = -55 ... */
    rc: number;
    /** The name of rc, e.g. 'H_P2'. */
    rcName: string;
    /** R4.. outputs, as many as the hcall defines. */
    ret: Array<number | bigint>;
  }

  interface RtasResult {
    /** The RTAS status word (0 success, -1 hardware error, -3 parameter error). */
    status: number;
    /** The other outputs, as unsigned 32-bit values. */
    ret: number[];
  }

  interface RtasOptions {
    /** The calling vCPU. Default 0. */
    cpu?: Int;
    /**
     * Output words the caller reserves, status included, 0..64 (what a guest's RTAS argument
     * buffer may declare; at most 64 arguments too). Default: the call's usual count.
     */
    nret?: Int;
  }

  /** What the guest offers at CAS, like a Linux kernel with or without xive=off. */
  type XiveOffer = 'exploitation' | 'legacy' | 'both';

  interface CasResult {
    /** The active interrupt controller after CAS. */
    mode: 'xive' | 'xics' | string;
    /** Option vector 5 byte 23 as the guest sent it. */
    requested: number;
    /** Byte 23 of the negotiated vector (QEMU's answer). */
    answer: number;
    /** Whether the active controller changed. */
    switched: boolean;
    /** The negotiated option vector 5, encoded (length byte, then option bytes). */
    ov5: number[];
    /** The device tree CAS returns to the guest (the whole post-CAS tree, as QEMU rebuilds it). */
    fdt: Uint8Array;
  }

  /** The Error m.cas throws when QEMU would refuse the guest. */
  interface CasError extends Error {
    /** QEMU's own message. */
    qemuMessage: string;
    /** true when QEMU would terminate the guest; false when the CAS hcall returns an error. */
    fatal: boolean;
    /** The hcall return code (0 when fatal). */
    rc: number;
  }

  interface GuestMemory {
    read8(addr: Int): number;
    read16(addr: Int): number;
    read32(addr: Int): number;
    read64(addr: Int): number | bigint;
    /** Writes the value's bytes; it must fit the size, signed or unsigned (write8: -128..255), else a RangeError. */
    write8(addr: Int, value: Int): void;
    write16(addr: Int, value: Int): void;
    write32(addr: Int, value: Int): void;
    write64(addr: Int, value: Int): void;
    /** Reserves zeroed guest memory and returns its guest physical address. */
    alloc(size: Int, align?: Int): number;
    /** RAM size in bytes. */
    readonly size: number | bigint;
  }

  /** A resolved guest access site (`m.port`). */
  interface GuestPort {
    readonly cpu: number;
    readonly addr: number | bigint;
    readonly size: 1 | 2 | 4 | 8;
    /** `m.load(cpu, addr, size)`. */
    load(): number | bigint;
    /** `m.store(cpu, addr, size, value)`. */
    store(value: Int): void;
  }

  /** A claimed device interrupt line. A line ignores a repeated level. */
  interface IrqLine {
    readonly irq: number;
    readonly type: 'MSI' | 'LSI';
    /** The device that drives it. */
    readonly driver: string;
    raise(): IrqLine;
    lower(): IrqLine;
    /** Raise then lower: one MSI, or a brief level pulse. */
    pulse(): IrqLine;
    readonly level: boolean;
  }

  interface BootOptions {
    /** What the guest offers at CAS. Default 'both'. */
    xive?: XiveOffer;
    /** Virtual cost of guest operations in ns (defaults: exceptionEntryNs 100, mmioNs 40, hcallNs 1500, rtasNs 4000, handlerNs 250). */
    timing?: { exceptionEntryNs?: number; mmioNs?: number; hcallNs?: number; rtasNs?: number; handlerNs?: number };
  }

  interface BootReport {
    /** The interrupt mode the guest runs in. */
    mode: 'xive' | 'xics' | string;
    cpus: number;
    /**
     * The device interrupts started (requested), by kernel irq number: hardware number, kernel irq number
     * (Linux's map order: IPI 16, the PHB's INTx lines at PCI probe, EPOW, the VIO bus, hot-plug, then
     * the MSIs; in XIVE mode also the EISN), type, name and target CPU.
     */
    irqs: Array<{ hwirq: number; virq: number; type: 'MSI' | 'LSI'; name: string; cpu: number }>;
    /** What the boot did, step by step. */
    steps: string[];
  }

  interface CpuStats {
    /** IPIs taken (interrupts, as /proc/interrupts counts them). */
    ipis: number;
    /** Device interrupts taken, by interrupt number as a decimal string. */
    irqs: { [irq: string]: number };
    /** External-interrupt exceptions taken. */
    exceptions: number;
  }

  /**
   * The guest model. Everything but `booted` and `mode` throws an Error before m.boot(); `ipi`,
   * `ipis`, `setAffinity` and `requestIrq` also while the machine is stopped (its kernel does not
   * run: the source of a pseries.migrate), with the stop's reason.
   */
  interface Guest {
    /** Sends an IPI from one online vCPU to another. */
    ipi(from: Int, to: Int): void;
    /**
     * Many IPIs in one call: `pairs` is `[from, to, from, to, ...]` (an array or an integer typed
     * array), sent in order, the whole list `repeat` times (default 1). Paced (the default), the
     * machine runs until idle after each IPI, as `ipi(from, to); m.runUntilIdle()` would, so each
     * is taken before the next is sent; `paced: false` sends them all, then runs until idle once.
     * Returns the virtual time after, as `m.runUntilIdle()` does. One call from the script for
     * the whole loop: the way to drive IPI workloads at the model's own speed (B8 in
     * benchmarks/README.md). A listener's error stops the batch there and is thrown. Not paced,
     * on a machine made with `hostThreads` above 1, the IPIs run on that many host threads (see
     * MachineOptions.hostThreads; in a burst, IPIs to one vCPU coalesce in its IPI's PQ bits, as
     * they do in the deterministic mode: it takes two at most per call).
     */
    ipis(pairs: ArrayLike<number>, options?: { paced?: boolean; repeat?: Int }): number | bigint;
    /** Per-vCPU counts, indexed by vCPU. */
    stats(): CpuStats[];
    /** Moves a started device interrupt to another vCPU (irq affinity). */
    setAffinity(irq: Int, cpu: Int): void;
    /**
     * A driver maps and starts an interrupt number firmware gave it outside the device tree (an
     * OpenCAPI AFU interrupt from H_OCXL_CONFIG_ADAPTER ALLOC_IRQ): its virq and the vCPU it targets.
     * An Error for a number nothing gave the guest.
     */
    requestIrq(irq: Int, name?: string): { hwirq: number; virq: number; cpu: number };
    readonly booted: boolean;
    /** 'xive' or 'xics' once booted, else null. */
    readonly mode: string | null;
  }

  interface DtNode {
    name: string;
    path: string;
    /** Values as dtc reads them: a string, a list of strings, a list of 32-bit cells, true (empty) or bytes. */
    props: { [name: string]: string | string[] | number[] | true | Uint8Array };
    children: { [name: string]: DtNode };
  }

  /**
   * Trace event categories (the same names as `--trace`): 'irq' an interrupt presented to a CPU,
   * 'hcall', 'rtas', 'mmio' (device loads and stores), 'cas', 'guest_error' (what the guest got
   * wrong), 'unimplemented' (a feature the model does not have was used), 'intc' (controller
   * internals: routing, queueing, CPPR and PQ changes), 'guest' (the guest model's steps and handlers),
   * 'kvm' (the simulated host kernel's KVM device calls), 'fault' (host page faults on device mappings).
   */
  type EventName = 'irq' | 'hcall' | 'rtas' | 'mmio' | 'cas' | 'guest_error' | 'unimplemented' | 'intc' | 'guest' | 'kvm' | 'fault'
    | 'passthrough';

  /** One physical PCI function of a host (defaults: 8 MSI-X vectors, INTx, its own IOMMU group, an 82599 NIC). */
  interface HostPciOptions {
    /** domain:bus:slot.function, lower-case hex, e.g. '0000:01:00.0'. */
    addr: string;
    msix?: number; intx?: boolean;
    /** IOMMU group number (functions sharing one are opened together by one VMM). */
    group?: number;
    vendor?: number; device?: number; classCode?: number;
    /** An OpenCAPI AFU on the function: its link's AFU interrupt credit (default and most 2000). */
    ocapi?: { irqs?: number };
  }

  interface PhysicalHostOptions {
    xive?: boolean; xicsOnXive?: boolean; pageSize?: '64K' | '4K' | number; memSlots?: number; maxMapCount?: number;
    esbMapping?: 'window' | 'per-source';
    pci?: HostPciOptions[];
    irqBypass?: boolean;
  }

  interface HostPciInfo {
    addr: string; vendor: number; device: number; classCode: number; msix: number; intx: boolean; iommuGroup: number;
    /** The host hardware interrupt of each vector (PHB MSI sources of the host XIVE), and INTx's LSI. */
    hwIrqs: number[]; intxHwIrq: number | null;
    /** The VMM process holding the function through VFIO ('qemu-vm0'), or null. */
    owner: string | null;
    /** The OpenCAPI AFU's link credit and what is left of it, or null. */
    ocapi: { irqs: number; available: number } | null;
    /** Vectors the device raised, and those nobody had armed. */
    fired: number; dropped: number;
  }

  interface HostPciFunction {
    readonly addr: string;
    /** The device raises MSI-X vector `vector` on the host; false when no VMM armed it (dropped). Out of range: RangeError-like Error. */
    fire(vector: number): boolean;
    /** Drives the function's INTx wire (an Error when it has none). */
    assertIntx(level: boolean): void;
    /**
     * The function's OpenCAPI AFU stores to the host physical trigger page of one of its interrupts
     * (`m.host.ocxl()[i].triggerPage`); false when no AFU interrupt has that page. An Error without an AFU.
     */
    afuStore(triggerPage: Int): boolean;
    info(): HostPciInfo;
  }

  interface PhysicalHost {
    /** A VM on this host: its own VMM process and KVM VM. Its config takes no `host` option (the host's applies). */
    machine(options?: MachineOptions): Machine;
    functions(): HostPciInfo[];
    /** The function at `addr`; an Error naming the host's functions when there is none. */
    pci(addr: string): HostPciFunction;
  }

  /** One irqfd of the VM and whether its guest interrupt is linked to a host interrupt. */
  interface PassthroughLink {
    guestIrq: number;
    /** The host interrupt the guest interrupt is linked to, or null. */
    hostIrq: number | null;
    /** The irqfd's eventfd descriptor in this VMM. */
    eventfd: number;
    /** 'bypass': the host XIVE delivers straight to the guest; 'software': eventfd -> irqfd -> the guest interrupt's IPI. */
    state: 'bypass' | 'software';
    /** Why there is no link (no producer with that token, the logged kvmppc_set_passthru_irq errno...), or null. */
    why: string | null;
  }

  interface PassthroughStats {
    linksMade: number; linksBroken: number; linkFailures: number; irqfds: number;
    bypassDeliveries: number; irqfdInjections: number; softwareTriggersRefused: number;
    vmmRelays: number; intxRelays: number; dropped: number;
    /** Calls refused for what the VM does not own (a descriptor not its own, a busy group or function). */
    denied: number;
  }

  interface VfioInfo {
    addr: string; groupFd: number; deviceFd: number;
    /**
     * Per vector armed so far, the eventfd VFIO signals (the VMM's own descriptors): the KVM
     * irqfd's while the vector is unmasked in-kernel, the VMM's otherwise, -1 for one not in use;
     * and INTx's.
     */
    eventfds: number[]; intxEventfd: number | null;
    /** The guest interrupts the vectors signal (what ibm,change-msi granted). */
    guestIrqs: number[];
    /**
     * The MSI-X capability the guest sees (configuration space offset `capability`), its table
     * and PBA (guest-physical addresses in BAR4; 32-bit little-endian accesses), and their state:
     * the enable and function-mask bits, the vectors whose mask bit is set, the pending bits.
     */
    msix?: { capability: number; table: number; pba: number; enabled: boolean; functionMask: boolean;
      maskedVectors: number[]; pending: number[] };
  }

  interface MachineEvent {
    event: EventName;
    /** Short name: the hcall or RTAS call name, 'load'/'store', 'present', 'cas', 'guest_error'. */
    name: string;
    /** Virtual time in ns. */
    time: number;
    seq: number;
    cpu: number | null;
    /** Event-specific fields (args, rc, rets, addr, size, value, lisn, message ...). */
    [field: string]: unknown;
  }

  /** An attribute call's answer, as the ioctl returns it: ret 0 or -errno; errno its name ('EINVAL'), null on success. */
  interface KvmAttrResult {
    ret: number;
    errno: string | null;
    /** getAttr only: the u64 words copied out (empty on failure). */
    data?: (number | bigint)[];
  }

  /**
   * The raw device-attribute API of the VM's in-kernel device (KVM_GET_DEVICE_ATTR, KVM_SET_DEVICE_ATTR, KVM_HAS_DEVICE_ATTR).
   * `group` is the number or the kernel's name ('CTRL', 'SOURCE', 'SOURCE_CONFIG', 'EQ_CONFIG',
   * 'SOURCE_SYNC' for XIVE; 'SOURCES', 'CTRL' for XICS). Bad groups, attributes or data get the
   * kernel's errno (a missing value is a bad user pointer, EFAULT); with no device open, EBADF.
   */
  interface KvmDeviceApi {
    getAttr(group: Int | string, attr: Int): KvmAttrResult;
    /** `value`: one u64 or the words of a multi-word attribute (EQ_CONFIG: flags, qshift, qaddr, toggle, index). */
    setAttr(group: Int | string, attr: Int, value?: Int | Int[]): KvmAttrResult;
    hasAttr(group: Int | string, attr: Int): KvmAttrResult;
    /** Whether the VM has this device now (kernelIrqchip connected it). */
    readonly present: boolean;
  }

  interface HostDevice {
    fd: number;
    /** 'xive' (KVM_DEV_TYPE_XIVE) or 'xics' (KVM_DEV_TYPE_XICS). */
    type: string;
    typeNumber: number;
    /** The kernel's device name, e.g. 'kvm-xive-native'. */
    name: string;
    /** Attribute calls made so far, by group name. */
    attributes: { [group: string]: number };
  }

  interface HostVma {
    name: string;
    start: number | bigint;
    size: number | bigint;
    pages: number;
    /** Device pages inserted by the fault handler (0 for anonymous memory). */
    pagesMapped: number;
    fd: number | null;
    pgoff: number | null;
  }

  interface HostMemSlot { slot: number; name: string; gpa: number | bigint; size: number | bigint; hva: number | bigint }

  /** irq: a pass-through interrupt the VMM relayed (its eventfd woke the VMM). */
  interface ExitCounts { hcall: number; rtas: number; mmio: number; irq: number }

  interface HostStats {
    faults: number; sigbus: number; zaps: number; pagesZapped: number;
    vmas: number; bytesMapped: number | bigint; pagesMapped: number; memslots: number;
    /** HW interrupts KVM devices hold now / ever allocated (one generic IPI per guest source). */
    ipisAllocated: number; ipisAllocatedTotal: number;
    deviceCreations: number; deviceDestructions: number;
    /** Exits to the VMM by kind, and those the kernel served itself. */
    exits: ExitCounts; kernelExits: ExitCounts;
    /** Guest accesses through a mapped page, no exit. */
    directAccesses: number;
    /** Virtual time charged for exits and faults, ns. */
    exitNs: number;
    passthrough: PassthroughStats;
  }

  interface MappingFailure {
    /** 'mmap' or 'KVM_SET_USER_MEMORY_REGION'. */
    call: string;
    errno: string;
    lisn: number;
    /** 'vm.max_map_count' or 'KVM_USER_MEM_SLOTS', and its value. */
    limit: string;
    limitValue: number;
    vmas: number;
    memslots: number;
    message: string;
  }

  /** What the layout costs the host now (the layout laboratory's figures). */
  interface HostLayout {
    /** host.esbMapping: 'window' (one ESB mmap, KVM's) or 'per-source'. */
    mapping: 'window' | 'per-source';
    pageSize: '64K' | '4K';
    /** Device-file VMAs (ESB and TIMA); totalVmas adds guest RAM. */
    vmas: number;
    totalVmas: number;
    /** KVM memory slots besides guest RAM's. */
    memslots: number;
    bytesMapped: number | bigint;
    pagesMapped: number;
    faults: number; sigbus: number; zaps: number; pagesZapped: number;
    ipisAllocated: number;
    exits: { vmm: ExitCounts; kernel: ExitCounts; direct: number };
    limits: { memSlots: number; maxMapCount: number };
    /** The first 8 mappings that failed; failuresTotal counts them all. */
    failures: MappingFailure[];
    failuresTotal: number;
  }

  interface HostApi {
    devices(): HostDevice[];
    vmas(): HostVma[];
    memslots(): HostMemSlot[];
    stats(): HostStats;
    layout(): HostLayout;
    /** The native XIVE device (KVM_DEV_TYPE_XIVE). */
    readonly xive: KvmDeviceApi;
    /** The XICS-on-XIVE device (KVM_DEV_TYPE_XICS). */
    readonly xics: KvmDeviceApi;
    /** Every irqfd of the VM with its link state (empty with kernelIrqchip 'off': the VMM relays every MSI). */
    links(): PassthroughLink[];
    /**
     * The OpenCAPI AFU interrupts the VMM holds for the guest (experimental 'ocapi-rfc-2019'; else
     * empty): guest and host interrupt, the context's irq offset, the host trigger page the AFU
     * stores to, and 'bypass' (the in-kernel device delivers) or 'vmm' (the VMM relays).
     */
    ocxl(): { addr: string; guestIrq: number; hostIrq: number; offset: number; triggerPage: number; state: 'bypass' | 'vmm' }[];
    /**
     * KVM_IRQFD on this VM with `eventfd`, a descriptor of this VMM (another VM's number names nothing here,
     * or another file): { ret, errno } with EBADF, EBUSY (already an irqfd); a non-matching eventfd is no error.
     */
    irqfd(guestIrq: number, eventfd: number | { fd: number }, options?: { deassign?: boolean }): KvmAttrResult;
    /** A new eventfd in this VMM; its descriptor. */
    eventfd(): number;
    /** write(2) of 1 to an eventfd of this VMM (a stray signal): { ret, errno }. */
    signal(eventfd: number): KvmAttrResult;
    /** The VMM's own VFIO device on `addr` (its descriptors and eventfds), or null. */
    vfio(addr: string): VfioInfo | null;
    /** What a VMM taking a function does: open its IOMMU group and get the device fd ({ ret: fd } or EBUSY, ENODEV). */
    vfioOpen(addr: string): KvmAttrResult;
    /** VFIO_DEVICE_SET_IRQS(MSI-X, start, eventfds) on a device fd of this VMM (-1 disarms a vector). */
    setIrqs(deviceFd: number, start: number, eventfds: number[]): KvmAttrResult;
  }

  /** A vCPU's registers as data (64-bit values signed: all-ones reads -1). */
  interface CpuRegs {
    gpr: Array<number | bigint>;
    pc: number | bigint; lr: number | bigint; ctr: number | bigint; cr: number; xer: number | bigint;
    msr: number | bigint; srr0: number | bigint; srr1: number | bigint;
    dec: number | bigint; tb: number | bigint; sprg: Array<number | bigint>;
    dar: number | bigint; dsisr: number; cfar: number | bigint;
    /** Instructions this vCPU executed so far. */
    retired: number;
    /** Why it cannot run (not started, stopped itself, illegal instruction with no handler...), or null. */
    stopped: string | null;
  }

  interface CpuRunResult {
    /** Why the run ended: the instructions asked for ran, the until address or a breakpoint was reached, the
     * vCPU stopped (message says why), the guest powered off, the machine halted (a fatal error), or the time ran out. */
    reason: 'instructions' | 'until' | 'breakpoint' | 'stopped' | 'power-off' | 'halted' | 'timeout';
    message: string;
    /** Instructions this vCPU executed during the run. */
    instructions: number;
    pc: number | bigint;
  }

  /**
   * One interpreting vCPU. A run advances the whole machine (every started vCPU, in slices on the
   * deterministic scheduler) until this vCPU is done; the default bound is 10 s of virtual time.
   */
  interface GuestCpu {
    readonly index: number;
    readonly regs: CpuRegs;
    /** Sets r0..r31, pc or msr. */
    setReg(name: string, value: Int): void;
    run(options?: { instructions?: Int; until?: Int; timeoutNs?: Int }): CpuRunResult;
    /** Executes one instruction (or takes one pending interrupt first). */
    step(): CpuRunResult;
    /** Addresses where a run stops before executing the instruction; the next run goes on from there. */
    breakpoints: Array<number | bigint>;
  }

  interface CpuExceptionEvent {
    event: 'exception';
    cpu: number;
    /** The vector's real address: 0x500 external, 0x700 program, 0x900 decrementer, 0xc00 system call... */
    vector: number;
    name: string;
    srr0: number | bigint;
    srr1: number | bigint;
  }

  interface CpuInstructionEvent {
    event: 'instruction';
    cpu: number;
    pc: number | bigint;
    /** The instruction word, as an unsigned 32-bit number. */
    word: number;
  }

  interface XiveThreadContext {
    nsr: number; cppr: number; ipb: number; lsmfb: number; ack: number; inc: number; age: number; pipr: number;
    /** WORD2: valid bit and CAM line. */
    w2: number;
  }

  interface XivePic {
    mode: 'xive';
    cpus: Array<{ cpu: number; os: XiveThreadContext }>;
    /** Claimed sources only. */
    sources: Array<{ lisn: number; type: 'MSI' | 'LSI'; pq: '--' | 'P-' | 'PQ' | '-Q'; asserted: boolean; masked: boolean;
      eisn: number; server: number; priority: number; end: number }>;
    /** Valid ENDs (event queues). */
    queues: Array<{ end: number; server: number; priority: number; enqueue: boolean; notify: boolean; escalate: boolean;
      qaddr: number; qsize: number; entries: number; index: number; generation: number; esn: string; ese: string }>;
  }

  interface XicsPic {
    mode: 'xics';
    icps: Array<{ server: number; xirr: number; cppr: number; mfrr: number; pending: number }>;
    sources: Array<{ irq: number; server: number; priority: number; savedPriority: number; masked: boolean; lsi: boolean; asserted: boolean }>;
  }

  interface Machine {
    /** Number of vCPUs. */
    readonly cpus: number;
    /** The active interrupt controller: 'xics' or 'xive'. */
    readonly icMode: 'xics' | 'xive' | string;
    /** Virtual time in ns. */
    readonly now: number | bigint;
    /** The configuration the machine was built from, defaults filled in (memory in bytes). */
    readonly config: ResolvedMachineOptions;
    /** Guest RAM. */
    readonly mem: GuestMemory;
    /** The guest model (after boot()). */
    readonly guest: Guest;
    /** What the guest printed on its console: H_PUT_TERM_CHAR (spapr-vty) and RTAS display-character. */
    readonly console: string;

    /**
     * Loads a bare-metal 64-bit PowerPC ELF payload as QEMU's pseries with x-vof=on -kernel does:
     * each segment at (p_paddr & 0x0fffffff) + 0x400000, vCPU 0 entered there big-endian 32-bit with
     * MSR = 0, r3 = r4 = 0, r5 = a client-interface stub that answers -1. From then on the vCPUs run
     * guest code whenever virtual time advances (m.run, m.cpu(n).run). A path is read with the
     * script's own (read-only) file access, relative to the working directory.
     */
    loadElf(elf: Uint8Array | ArrayBuffer | number[] | string): { entry: number; low: number; high: number };
    /** The interpreting vCPU n (after loadElf): registers, run, step, breakpoints. */
    cpu(n: Int): GuestCpu;

    /** A hypervisor call on behalf of a vCPU, by name ('H_INT_ESB') or number, with R4.. arguments. */
    hcall(cpu: Int, nameOrNumber: string | Int, ...args: Int[]): HcallResult;
    /** An RTAS call by name, e.g. m.rtas('ibm,get-xive', 0x1000); a trailing { cpu, nret } object sets the caller. */
    rtas(name: string, ...args: Array<Int | RtasOptions>): RtasResult;
    /** A load of 1, 2, 4 or 8 bytes at a guest physical address (MMIO or RAM), on behalf of a vCPU. */
    load(cpu: Int, addr: Int, size: 1 | 2 | 4 | 8): number | bigint;
    /** The matching store. */
    store(cpu: Int, addr: Int, size: 1 | 2 | 4 | 8, value: Int): void;
    /**
     * One access site a loop repeats, resolved ahead: `p.load()` and `p.store(v)` are
     * `m.load(cpu, addr, size)` and `m.store(cpu, addr, size, v)` (same answers, exits, events and
     * refusals) at a fraction of the cost per call. The arguments are checked here, as `m.load`
     * checks them; the site follows changes of the address map (CAS, reset, unmapping).
     */
    port(cpu: Int, addr: Int, size: 1 | 2 | 4 | 8): GuestPort;

    /**
     * ibm,client-architecture-support from the boot CPU. Pass what the guest offers, the raw option
     * vector 5 (length byte first), or { ov5: null } for a guest that sends no vector 5. Throws a
     * CasError carrying QEMU's message when QEMU would refuse.
     */
    cas(request: { xive: XiveOffer } | { ov5: ArrayLike<number> | null } | ArrayLike<number>): CasResult;

    /** The current flattened device tree (what QEMU hands the guest now: pre- or post-CAS). */
    fdt(): Uint8Array;

    /**
     * The whole machine state as a self-describing stream: a header, then named sections (config,
     * machine, clock, cas, cpu/N, cpu/code, irq/lines, pci/phb/0 and pci/ID per PCI function,
     * ocapi/ID per OpenCAPI AFU function (with experimental: ['ocapi-rfc-2019']), ram, the
     * controllers' xive/... and xics/... sections, host/kvm, the booted guest model's guest,
     * guest/xics and guest/xive), each versioned and checksummed. A booted guest is captured with
     * its pending exception entries (mid IPI burst is fine) and the MSIs it got from
     * ibm,change-msi with the functions' MSI-X tables (a restore re-makes the allocations and arms
     * pass-through vectors again: irqfds and links); guest code (m.loadElf) with its interpreters'
     * registers, stops and pending slices (breakpoints and 'exception'/'instruction' subscriptions
     * are the script's and stay out). With `kernelIrqchip: 'on'` the VM is stopped meanwhile and the device's state
     * (PQs, queue positions, VP states; XICS sources and ICPs) is read into the same controller
     * sections an emulated machine writes; `host/kvm` records the device, its mappings and the
     * pages faulted, and the pass-through links.
     */
    snapshot(): Uint8Array;
    /**
     * Restores a snapshot of a machine of the same configuration. The stream is validated whole
     * before anything changes: a bad one throws "snapshot section 'NAME': REASON" and leaves this
     * machine exactly as it was. Outputs (vCPU inputs, PIPR, XICS resend) are re-derived.
     */
    restore(bytes: Uint8Array): void;
    /**
     * Writes `m.snapshot()` as the whole file at `path` (relative paths from the script's
     * directory) and returns its size in bytes; `pseries.load(path)` reads it back. A script may
     * write only inside the trees given with `--allow-write DIR` (`run`, `test`, `repl`;
     * `pseries.test.allowWrite` under JUnit), none by default; the file is written beside the
     * target and moved over it in one step, so a failed save leaves the old file. Refused (an
     * Error naming the path and the reason): no or another tree, a symbolic link, a directory, a
     * missing directory, and everything `m.snapshot()` refuses.
     */
    save(path: string): number;
    /** Whether the machine runs: false once `pseries.migrate` moved it to another machine. */
    readonly running: boolean;
    /** The tree (or the node at a path such as '/chosen') as plain data. */
    dt(path?: string): DtNode;
    /** The tree as dts text, as `dtc -I dtb -O dts` prints it. */
    dts(): string;

    /** The line of a claimed device interrupt (0x1000..0x1fff). */
    irq(number: Int): IrqLine;

    /** The simulated host under this machine: its KVM devices, the VMM's mappings, counters, layout figures. */
    readonly host: HostApi;

    /** Boots the Linux-like guest model: CAS, interrupt set-up on every vCPU, device interrupts. */
    boot(options?: BootOptions): BootReport;

    /** Advances virtual time; returns the new time. */
    run(options: { ns: Int }): number | bigint;
    /** Runs until no event is pending (throws after 50M events: an interrupt storm). Returns the time. */
    runUntilIdle(): number | bigint;

    /** Subscribes to machine events, delivered on the script's thread; returns the unsubscribe function. */
    on(event: EventName, listener: (e: MachineEvent) => void): () => void;
    /** Every interrupt a vCPU running guest code takes, after SRR0/SRR1 are set. */
    on(event: 'exception', listener: (e: CpuExceptionEvent) => void): () => void;
    /** Every instruction before it executes (slow: only while subscribed does the CPU check for it). */
    on(event: 'instruction', listener: (e: CpuInstructionEvent) => void): () => void;

    /**
     * The interrupt-controller state, the structured twin of QEMU's `info pic`: plain data, the
     * state at the call. Each list (`cpus`, `sources`, `queues`; `icps`, `sources`) is handed
     * over the first time the script reads it, so a script pays for the lists it looks at (at
     * 4096 vCPUs the whole state is about 1.7 M characters of JSON); until then its property
     * descriptor is an accessor, afterwards a plain data member.
     */
    pic(): XivePic | XicsPic;
    /**
     * The same as text, in the spirit of QEMU's `info pic`, ending with QEMU's `irqchip: in-kernel`
     * or `irqchip: emulated` line. With the in-kernel XIVE the OS rings are what KVM reports
     * (KVM_REG_PPC_VP_STATE after a pull): LSMFB and AGE 0, ACK# 0xFF.
     */
    pic(format: 'text'): string;

    /** Machine reset, as the guest's reboot: back to the pre-CAS state. */
    reset(): void;
    /** The machine's devices and interrupt numbers. */
    info(): {
      cpus: number; icMode: string; active: string; memory: number;
      /** Event sources, the PCI host bridge (with its `pci` devices) and the VIO devices. */
      devices: Array<{ type: string; name: string; irqs: number[];
        /** VIO devices: the unit address (0x71000000 and up). */
        reg?: number;
        /** The PCI host bridge: its BUID (0x800000020000000, a BigInt). */
        buid?: number | bigint;
        /**
         * The PCI host bridge's functions, bridges and the devices behind them included. `intx` is
         * the LSI the function's INTA reaches through the bridges and the host bridge's
         * interrupt-map; `msiFirst`/`msiCount` the MSIs the guest allocated with ibm,change-msi
         * (null/0 before).
         */
        pci?: Array<{ type: string; name: string; pci: string; configAddress: number; intx: number | null;
          msiVectors: number; msixEntries: number; msiFirst: number | null; msiCount: number }> }>;
      warnings: string[];
    };
    /** Keeps the last n events of every kind (0: off; at most 1000000), for events(). */
    recordEvents(n: number): void;
    /** The recorded events, oldest first. */
    events(): MachineEvent[];
    /** The hcall names the machine knows. */
    hcallNames(): string[];

    /**
     * XIVE internals, on machines with a XIVE controller (icMode 'xive' or 'dual'). On a machine
     * without one (icMode 'xics') the member does not exist and reading it throws a TypeError, as
     * any unknown member does: test with `'xive' in m`.
     */
    readonly xive?: XiveInternals;
  }

  /** Direct access to XIVE tables, for prototyping (not what a guest can do). */
  interface XiveInternals {
    /** The EAS word of a LISN. */
    eas(lisn: Int): bigint;
    /** Sets the EAS word of a LISN. */
    setEas(lisn: Int, word: Int): void;
    /** The eight END words of an END index. */
    end(index: Int): number[];
    /** Sets one END word. */
    setEnd(index: Int, word: Int, value: Int): void;
    /** The END index sPAPR uses for (vCPU id, priority): (vcpu << 3) + priority. */
    endIndex(vcpu: Int, priority: Int): number;
    /** The PQ bits of a source (0..3). */
    pq(lisn: Int): number;
    /** Events written into event queues since creation. */
    readonly enqueued: number;
    /** Constants: ESB and TIMA addresses. */
    readonly layout: { esbBase: number; endEsbBase: number; timaBase: number; timaOsPage: number; esbShift: number; nrIrqs: number; nrEnds: number };
  }

  // ------------------------------------------------------------------ console

  /**
   * The console scripts get: each method prints its arguments separated by spaces, plain data
   * rendered like Node's util.inspect (BigInts as 123n, byte arrays in hex). log, info and debug
   * write to stdout; warn and error to stderr. These six are all there is.
   */
  interface PseriesConsole {
    log(...data: unknown[]): void;
    info(...data: unknown[]): void;
    debug(...data: unknown[]): void;
    warn(...data: unknown[]): void;
    error(...data: unknown[]): void;
    /** An array of plain objects as a table, one row per element and one column per key. */
    table(rows: unknown): void;
  }
  const console: PseriesConsole;

  // ------------------------------------------------------------------ JS test runner
  //
  // Globals of test files (test-scripts/*.test.js) run by the JS test runner; they do not
  // exist in scripts started with `./pseries run`. The names and signatures follow node:test
  // and node:assert.

  /** A test body or hook; an async function (a returned promise) is awaited. */
  type TestFunction = () => void | Promise<void>;

  /**
   * Options of a test or group. `timeout`: its time limit in milliseconds (0: none); a group's
   * applies to its tests and hooks unless they set their own; without any, `--timeout` (default
   * 120 s) applies. A test past its limit is interrupted and fails at its location; the rest of
   * the file runs. An async test awaiting a promise nothing can settle fails the same way at once.
   */
  interface TestOptions {
    timeout?: number;
  }

  interface DescribeFunction {
    /** A group of tests; `fn` registers its tests and hooks synchronously. Groups nest. */
    (name: string, fn: () => void, options?: TestOptions): void;
    /** A group whose tests are all reported as skipped. */
    skip(name: string, fn?: () => void, options?: TestOptions): void;
    /** Focuses the run: when groups or tests are marked `only`, just those run. */
    only(name: string, fn: () => void, options?: TestOptions): void;
  }

  interface TestRegistration {
    /** A test: it passes when `fn` returns (or its promise resolves) without throwing. */
    (name: string, fn: TestFunction, options?: TestOptions): void;
    /** A test reported as skipped; `fn` is not run. */
    skip(name: string, fn?: TestFunction, options?: TestOptions): void;
    /** Focuses the run: when groups or tests are marked `only`, just those run. */
    only(name: string, fn: TestFunction, options?: TestOptions): void;
  }

  const describe: DescribeFunction;
  const it: TestRegistration;
  /** The same as `it`. */
  const test: TestRegistration;
  /** Runs once before the tests of the enclosing group (or file). */
  function before(fn: TestFunction): void;
  /** Runs once after the tests of the enclosing group (or file). */
  function after(fn: TestFunction): void;
  /** Runs before each test of the enclosing group (or file) and of its nested groups. */
  function beforeEach(fn: TestFunction): void;
  /** Runs after each test of the enclosing group (or file) and of its nested groups. */
  function afterEach(fn: TestFunction): void;

  /**
   * What `assert.throws` checks the thrown value against: an Error class (instanceof), a RegExp
   * (tested against `String(thrown)`, e.g. 'TypeError: m.foo does not exist'), a validation
   * function returning true, or an object whose own properties must all be deeply equal to the
   * thrown value's (a RegExp value tests a string property).
   */
  type AssertThrowsExpected =
    | RegExp
    | (new (...args: any[]) => Error)
    | ((thrown: any) => boolean)
    | object;

  /**
   * node:assert's assertions. A failing one throws an AssertionError (`actual`, `expected`,
   * `operator`, and the message, or a generated one) and the runner reports the file and line of
   * the failing call.
   */
  interface Assert {
    /** Fails unless `value` is truthy (as `assert.ok`). */
    (value: unknown, message?: string | Error): asserts value;
    /** Fails unless `value` is truthy. */
    ok(value: unknown, message?: string | Error): asserts value;
    /** Fails unless `actual == expected` (loose equality). */
    equal(actual: unknown, expected: unknown, message?: string | Error): void;
    /** Fails unless `Object.is(actual, expected)`. */
    strictEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T;
    /** Fails if `Object.is(actual, expected)`. */
    notStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void;
    /**
     * Fails unless `actual` and `expected` are deeply and strictly equal, as node:assert's: same
     * prototypes, own enumerable properties compared recursively with Object.is.
     */
    deepStrictEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T;
    /** Fails unless `fn` throws, and the thrown value matches `expected` when given. */
    throws(fn: () => unknown, expected?: AssertThrowsExpected, message?: string | Error): void;
    /** Fails unless `value` is a string that `regExp` matches. */
    match(value: string, regExp: RegExp, message?: string | Error): void;
    /** Always fails, with `message` or 'Failed'. */
    fail(message?: string | Error): never;
    /** Fails if `actual == expected`. */
    notEqual(actual: unknown, expected: unknown, message?: string | Error): void;
    /** Fails if `actual` and `expected` are deeply and strictly equal. */
    notDeepStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void;
    /** Fails if `fn` throws. */
    doesNotThrow(fn: () => unknown, message?: string): void;
    /** Fails unless the promise (or the one `fn` returns) rejects, matching `expected` when given; await it. */
    rejects(promiseOrFn: Promise<unknown> | (() => Promise<unknown>), expected?: AssertThrowsExpected, message?: string | Error): Promise<void>;
    /** Fails if `value` is a string that `regExp` matches. */
    doesNotMatch(value: string, regExp: RegExp, message?: string | Error): void;
    /** The error a failing assertion throws; `new assert.AssertionError({ message, actual, expected, operator })`. */
    AssertionError: new (options: { message?: string; actual?: unknown; expected?: unknown; operator?: string }) => AssertionError;
    /** The same object (node's strict mode, the only mode here). */
    strict: Assert;
  }

  interface AssertionError extends Error {
    name: 'AssertionError';
    code: 'ERR_ASSERTION';
    actual: unknown;
    expected: unknown;
    operator: string | undefined;
    generatedMessage: boolean;
  }
  const assert: Assert;
}
