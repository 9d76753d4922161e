package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.Machine;
import io.pseries.core.host.Vma;
import io.pseries.core.intc.InterruptController;

/**
 * Snapshot and restore of a whole machine over the sections it declares
 * ({@link Machine#snapshotSections()}).
 *
 * <pre>
 *  save:     every section's save() ──► SnapshotStream.encode
 *  restore:  SnapshotStream.parse (layout, checksums)
 *            ──► same section names as this machine? versions loadable? fields = schema?
 *            ──► every section's load() (validates, returns its commit)    nothing changed yet
 *            ──► machine.beginRestore() (the VM stops) ──► every commit ──► every rederive()
 *            ──► machine.kernelPostLoad() (in-kernel device made again and fed)
 *            ──► every postLoad() (pass-through vectors armed: irqfds, links) ──► host remap
 * </pre>
 *
 * Any refusal is a {@link SnapshotException} thrown before the first commit, so a refused
 * stream leaves the machine exactly as it was.
 *
 * <p>Threading: the machine's thread.
 */
public final class MachineSnapshot {
    private MachineSnapshot() {
    }

    /**
     * The machine's state as a snapshot stream; throws {@link SnapshotException} when it cannot
     * be taken now. As QEMU's savevm, the VM is stopped meanwhile (a controller in the kernel
     * freezes its sources and the VMM copies what only the device holds into the controller's
     * sections, pre_save) and runs again afterwards if it ran before. The host section records
     * the device pages faulted before the stop: the stop handler's own ESB loads are the VMM's.
     */
    public static byte[] save(Machine m) {
        boolean wasRunning = m.running();
        Map<Vma, long[]> faulted = HostSection.faultedPages(m);
        m.stop("a snapshot is being taken");
        try {
            return saveStopped(m, wasRunning ? faulted : null);
        } finally {
            if (wasRunning) {
                m.cont();
            }
        }
    }

    /**
     * The pages each of {@code m}'s VMM mappings of its in-kernel interrupt device holds now (none
     * without one), for {@link #zapBackTo}: taken before a checkpoint stops the machine.
     */
    public static Map<Vma, long[]> devicePages(Machine m) {
        return HostSection.faultedPages(m);
    }

    /**
     * A checkpoint refused after {@code m} stopped and ran again for its stream: the run handler's
     * ESB loads faulted pages in that the script's run would not have, so each mapping in
     * {@code pages} ({@link #devicePages} before the stop) is zapped back to what it held then.
     * Returns the pages zapped.
     */
    public static long zapBackTo(Machine m, Map<Vma, long[]> pages) {
        long n = 0;
        for (Map.Entry<Vma, long[]> e : pages.entrySet()) {
            n += HostSection.zapBeyond(m, e.getKey(), e.getValue());
        }
        return n;
    }

    /** The stream of a stopped machine: what only an in-kernel device holds is pulled first (pre_save). */
    public static byte[] saveStopped(Machine m) {
        return saveStopped(m, null);
    }

    /** As {@link #saveStopped(Machine)}, the host section recording {@code faulted} (null: the pages present now). */
    static byte[] saveStopped(Machine m, Map<Vma, long[]> faulted) {
        if (m.running()) {
            throw new IllegalStateException("saveStopped: the machine runs");
        }
        for (InterruptController c : m.controllers()) {
            if (c.inKernel()) {
                c.kernelPreSave();
            }
        }
        List<SnapshotSection> sections = m.snapshotSections();
        for (SnapshotSection s : sections) {
            if (s instanceof HostSection h) {
                h.faultedBeforeStop(faulted);
            }
        }
        return save(sections);
    }

    /** A stream of the given sections (the first must be the configuration). */
    public static byte[] save(List<SnapshotSection> sections) {
        List<SnapshotStream.RawSection> raw = new ArrayList<>();
        for (SnapshotSection s : sections) {
            SectionWriter w = new SectionWriter(s.name(), s.schema());
            s.save(w);
            byte[] body = w.finish();
            raw.add(new SnapshotStream.RawSection(s.name(), s.version(), s.minVersion(), body));
        }
        return SnapshotStream.encode(raw);
    }

    /**
     * Restores a stream into {@code m}, or refuses it whole leaving {@code m} unchanged. Once the
     * sections are in, the in-kernel device is connected afresh and fed (QEMU's post_load,
     * {@link Machine#kernelPostLoad}) and the host section re-makes the VMM's mappings; the
     * machine is left stopped (the caller runs it: {@link Machine#cont}).
     */
    public static void restore(Machine m, byte[] stream) {
        restoreSections(m, stream, () -> { });
    }

    /**
     * A checkpoint ({@code --checkpoint-invariance}): {@code stream} restored into {@code m}
     * and the machine run, as {@link Machine#restore}, then the VMM's mappings of the in-kernel
     * device left holding exactly the pages the stream records as faulted ({@link HostSection}):
     * what the run handler's ESB loads faulted in besides is zapped, so a guest access that
     * faults on the source faults here too. A real restore keeps those pages, as QEMU's
     * destination does. Returns the pages zapped.
     */
    public static long restoreAsCheckpoint(Machine m, byte[] stream) {
        return restoreAsCheckpoint(m, stream, null, () -> { });
    }

    /**
     * As {@link #restoreAsCheckpoint(Machine, byte[])}; with {@code stopped} not null, a checkpoint
     * of a stopped machine (the source of a migration, QEMU's postmigrate state): {@code m} is left
     * stopped for that reason, its in-kernel device fed and latched as the stop left the source's,
     * its mappings holding exactly the pages the stream records, as the stopped source's did.
     */
    public static long restoreAsCheckpoint(Machine m, byte[] stream, String stopped) {
        return restoreAsCheckpoint(m, stream, stopped, () -> { });
    }

    /**
     * As {@link #restoreAsCheckpoint(Machine, byte[], String)}, with {@code hostSide} run once the
     * in-kernel device is connected and the pass-through vectors armed, before the source's pages
     * are faulted in again and the machine runs (a host-group checkpoint makes the VMM's file
     * table the source's there).
     */
    static long restoreAsCheckpoint(Machine m, byte[] stream, String stopped, Runnable hostSide) {
        HostSection h = restoreSections(m, stream, hostSide);
        if (stopped == null) {
            m.cont();
        } else {
            m.stayStopped(stopped);
            for (InterruptController c : m.controllers()) {
                if (c.inKernel()) {
                    c.kernelStayStopped();
                }
            }
        }
        return h == null ? 0 : h.exact();
    }

    private static HostSection restoreSections(Machine m, byte[] stream, Runnable hostSide) {
        List<SnapshotSection> sections = m.snapshotSections();
        restore(sections, stream, m::beginRestore, new IncomingClaims(m.irqSpace()));
        String err;
        try {
            err = m.kernelPostLoad();
        } finally {
            // links after the device is fed, before the VM runs (and before the host section checks them)
            for (SnapshotSection s : sections) {
                s.postLoad();
            }
        }
        if (err != null) {
            throw new SnapshotException(HostSection.NAME, "the in-kernel device refused the restored state: " + err);
        }
        hostSide.run();
        HostSection host = null;
        for (SnapshotSection s : sections) {
            if (s instanceof HostSection h) {
                h.remap();
                host = h;
            }
        }
        return host;
    }

    /**
     * Restores a stream into the given sections: everything validated first, then
     * {@code begin}, every commit and every rederive. The first section must be the configuration.
     */
    public static void restore(List<SnapshotSection> mine, byte[] stream, Runnable begin) {
        restore(mine, stream, begin, new IncomingClaims(null));
    }

    private static void restore(List<SnapshotSection> mine, byte[] stream, Runnable begin, IncomingClaims claims) {
        List<SnapshotStream.RawSection> raw = SnapshotStream.parse(stream);
        // a configuration mismatch explains a different component set best: check it first
        List<Runnable> commits = new ArrayList<>(mine.size());
        commits.add(loadOne(section(mine, ConfigSection.NAME), raw.get(0), claims));
        // a stream of a machine like this one lists the same sections in the same order: no lookups then
        boolean same = raw.size() == mine.size();
        for (int i = 0; same && i < raw.size(); i++) {
            same = raw.get(i).name().equals(mine.get(i).name());
        }
        List<SnapshotStream.RawSection> streamFor = same ? raw : matched(mine, raw);
        for (int i = 0; i < mine.size(); i++) {
            SnapshotSection s = mine.get(i);
            if (!s.name().equals(ConfigSection.NAME)) {
                SnapshotStream.RawSection r = streamFor.get(i);
                commits.add(r == null ? s.loadAbsent() : loadOne(s, r, claims));
            }
        }
        // every section validated: from here on the machine changes
        begin.run();
        for (Runnable c : commits) {
            c.run();
        }
        for (SnapshotSection s : mine) {
            s.rederive();
        }
        for (SnapshotSection s : mine) {
            s.finish();
        }
    }

    private static SnapshotSection section(List<SnapshotSection> mine, String name) {
        for (SnapshotSection s : mine) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The stream's section for each of {@code mine} (null: the stream lacks that optional one),
     * refusing a stream with a section this machine lacks or without one it needs.
     */
    private static List<SnapshotStream.RawSection> matched(List<SnapshotSection> mine, List<SnapshotStream.RawSection> raw) {
        Map<String, SnapshotSection> byName = new HashMap<>(mine.size() * 2);
        for (SnapshotSection s : mine) {
            byName.put(s.name(), s);
        }
        Map<String, SnapshotStream.RawSection> rawByName = new HashMap<>(raw.size() * 2);
        for (SnapshotStream.RawSection r : raw) {
            if (!byName.containsKey(r.name())) {
                List<String> names = new ArrayList<>();
                mine.forEach(s -> names.add(s.name()));
                throw new SnapshotException(r.name(), "foreign stream: this machine has no such component (its sections: "
                    + String.join(", ", names) + ")");
            }
            rawByName.put(r.name(), r);
        }
        List<SnapshotStream.RawSection> out = new ArrayList<>(mine.size());
        for (SnapshotSection s : mine) {
            SnapshotStream.RawSection r = rawByName.get(s.name());
            if (r == null && !s.optional()) {
                throw new SnapshotException(s.name(), "missing from the stream: it was taken from a machine with other components");
            }
            out.add(r);
        }
        return out;
    }

    static Runnable loadOne(SnapshotSection s, SnapshotStream.RawSection r, IncomingClaims claims) {
        if (r.version() > s.version()) {
            throw new SnapshotException(r.name(), "too new: written at version " + r.version()
                + ", this version loads up to " + s.version());
        }
        if (r.version() < s.minVersion()) {
            throw new SnapshotException(r.name(), "too old: written at version " + r.version()
                + ", this version loads from " + s.minVersion());
        }
        SectionReader reader = r.decode(s.schema()).withClaims(claims);
        if (r.version() == s.version()) {
            checkFields(s, reader);
        }
        return s.load(reader);
    }

    /** At the current version the stream's fields must be exactly the schema's. */
    private static void checkFields(SnapshotSection s, SectionReader r) {
        Schema schema = s.schema();
        for (int i = 0; i < r.fieldCount(); i++) {
            FieldType want = schema.type(r.fieldName(i));
            if (want == null) {
                throw r.refuse("field '" + r.fieldName(i) + "' is not in the schema of version " + s.version());
            }
            if (want != r.fieldType(i)) {
                throw r.refuse("field '" + r.fieldName(i) + "' is " + r.fieldType(i).schemaName() + ", the schema says "
                    + want.schemaName());
            }
        }
        // each field is once in a section and every one is the schema's: as many means all of them
        if (r.fieldCount() != schema.size()) {
            for (int k = 0; k < schema.size(); k++) {
                if (!r.has(schema.name(k))) {
                    throw r.refuse("field '" + schema.name(k) + "' is missing");
                }
            }
        }
    }

    /** The sections of a stream (name, version, minimum version, bytes), for {@code snapshot info}. */
    public static List<Map<String, Object>> info(byte[] stream) {
        List<Map<String, Object>> l = new ArrayList<>();
        for (SnapshotStream.RawSection r : SnapshotStream.parse(stream)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", r.name());
            e.put("version", r.version());
            e.put("minVersion", r.minVersion());
            e.put("bytes", r.length());
            l.add(e);
        }
        return l;
    }

    /** The schema of every section of {@code m}: name to {version, minVersion, fields}. */
    public static Map<String, Object> schema(Machine m) {
        return schema(m.snapshotSections());
    }

    public static Map<String, Object> schema(List<SnapshotSection> sections) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (SnapshotSection s : sections) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("version", s.version());
            e.put("minVersion", s.minVersion());
            if (s.optional()) {
                e.put("optional", true);
            }
            e.put("fields", s.schema().describe());
            out.put(s.name(), e);
        }
        return out;
    }
}
