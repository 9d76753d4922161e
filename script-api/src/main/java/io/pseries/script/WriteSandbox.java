package io.pseries.script;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a script may write files ({@code m.save(path)}): only inside the directory trees the
 * user named with {@code --allow-write DIR} (the JUnit engine's {@code pseries.test.allowWrite});
 * with none, nothing. The script's context file system stays read-only ({@link ReadSandbox});
 * this is the one way out, and it writes whole files only.
 *
 * <pre>
 *  path         relative paths resolve against the script's directory
 *  refused      no tree allowed; the file's directory (after resolving links) outside every
 *               allowed tree; the path names a symbolic link or a directory; a missing directory
 *  written      into a temporary file beside the target, then moved over it in one step, so a
 *               reader never sees half a snapshot and a failed write leaves the old file
 * </pre>
 *
 * <p>Threading: the context's thread.
 */
final class WriteSandbox {
    private final Path base;
    private final List<Path> roots = new ArrayList<>();

    /**
     * {@code base}: what a script's relative paths resolve against (its directory);
     * {@code allowed}: the trees scripts may write (relative ones are the user's, from the working directory).
     */
    WriteSandbox(Path base, List<Path> allowed) {
        this.base = base.toAbsolutePath().normalize();
        for (Path p : allowed) {
            roots.add(ReadSandbox.real(p.toAbsolutePath().normalize()));
        }
    }

    /** Writes {@code data} as the whole of {@code path}, or throws SecurityException / IOException saying why not. */
    void write(String path, byte[] data) throws IOException {
        Path asked = base.resolve(path).normalize();
        if (roots.isEmpty()) {
            throw new SecurityException("writing " + asked + " is not allowed: a script may write only inside the"
                + " directories given with --allow-write DIR (pseries.test.allowWrite under JUnit), and none was given");
        }
        Path name = asked.getFileName();
        Path dir = asked.getParent();
        if (name == null || dir == null) {
            throw new IOException(asked + " names no file");
        }
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory");
        }
        Path realDir = dir.toRealPath();
        boolean inside = false;
        for (Path r : roots) {
            inside |= realDir.startsWith(r);
        }
        if (!inside) {
            throw new SecurityException("writing " + asked + " is not allowed: it is outside the directories given with"
                + " --allow-write DIR (" + String.join(", ", roots.stream().map(Path::toString).toList()) + ")");
        }
        Path target = realDir.resolve(name);
        if (Files.isSymbolicLink(target)) {
            throw new SecurityException("writing " + asked + " is not allowed: it is a symbolic link");
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(asked + " is a directory");
        }
        Path tmp = Files.createTempFile(realDir, "." + name + ".", ".part");
        try {
            Files.write(tmp, data);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
