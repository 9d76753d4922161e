package io.pseries.script.test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One of {@code count} deterministic slices of a set of test files, for a CI matrix that runs a
 * suite on several machines ({@code --shard 2/3}). The files are ordered by path and dealt out
 * in turn (file i goes to shard {@code i mod count + 1}), so every shard gets a similar number of
 * files, the shards are disjoint and their union is the whole set, and the split depends only on
 * the file names, not on the machine, the order the paths were given or the checkout directory.
 *
 * <p>Immutable; any thread.
 */
public record Shard(int index, int count) {
    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("a shard is K/N with 1 <= K <= N, got " + index + "/" + count);
        }
    }

    /** Parses {@code K/N}. */
    public static Shard parse(String text) {
        String[] kn = text.trim().split("/", -1);
        try {
            if (kn.length == 2) {
                return new Shard(Integer.parseInt(kn[0].trim()), Integer.parseInt(kn[1].trim()));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("a shard is K/N with 1 <= K <= N (e.g. 2/3), got '" + text + "'");
    }

    /** This shard's files, in path order. */
    public List<Path> select(List<Path> files) {
        List<Path> sorted = new ArrayList<>(files);
        Path base = commonParent(sorted);
        sorted.sort(Comparator.comparing(p -> relative(base, p)));
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            if (i % count == index - 1) {
                out.add(sorted.get(i));
            }
        }
        return out;
    }

    private static String relative(Path base, Path p) {
        Path a = p.toAbsolutePath().normalize();
        return (base != null && a.startsWith(base) ? base.relativize(a) : a).toString().replace('\\', '/');
    }

    private static Path commonParent(List<Path> files) {
        Path common = null;
        for (Path f : files) {
            Path d = f.toAbsolutePath().normalize().getParent();
            if (common == null) {
                common = d;
            } else {
                while (common != null && d != null && !d.startsWith(common)) {
                    common = common.getParent();
                }
            }
        }
        return common;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
