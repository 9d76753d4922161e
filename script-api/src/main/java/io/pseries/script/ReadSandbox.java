package io.pseries.script;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.graalvm.polyglot.io.FileSystem;

/**
 * The file system a script context sees: read-only, and limited to a few directory trees —
 * the script's own directory, and the directories the user allowed ({@code --allow-read DIR},
 * the JUnit engine's {@code pseries.test.allowRead}). Imports (modules, JSON) and any other
 * read outside them are refused before the file is opened, with a message naming the path and
 * the option, so nothing of the file reaches the script (not even as a SyntaxError's source line).
 *
 * <p>Paths are compared after resolving symbolic links, so a link inside an allowed tree cannot
 * lead out of it.
 *
 * <p>Threading: used by the context's thread; {@link #allow} may be called from any thread.
 */
final class ReadSandbox implements FileSystem {
    private final FileSystem fs = FileSystem.newReadOnlyFileSystem(FileSystem.newDefaultFileSystem());
    private final List<Path> roots = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** {@code roots}: the directory trees scripts may read. */
    ReadSandbox(List<Path> allowed) {
        for (Path p : allowed) {
            roots.add(real(p.toAbsolutePath().normalize()));
        }
    }

    /** Adds a tree scripts may read. */
    void allow(Path dir) {
        roots.add(real(dir.toAbsolutePath().normalize()));
    }

    /** {@code p} with its links resolved, or {@code p} itself when it does not exist (also for WriteSandbox). */
    static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    /** Refuses {@code p} unless it lies in an allowed tree (after resolving links). */
    private void check(Path p) {
        Path asked = fs.toAbsolutePath(p).normalize();
        Path abs = real(asked);
        for (Path r : roots) {
            if (abs.startsWith(r)) {
                return;
            }
        }
        throw new SecurityException("reading " + asked + " is not allowed: a script may read its own directory ("
            + (roots.isEmpty() ? "none" : roots.get(0)) + ") and the directories given with --allow-read DIR"
            + " (pseries.test.allowRead under JUnit)");
    }

    /** Reads a whole file under the same rules as the script's own reads (m.loadElf of a path). */
    byte[] readAllBytes(String path) throws IOException {
        Path p = fs.parsePath(path);
        check(p);
        return java.nio.file.Files.readAllBytes(fs.toAbsolutePath(p));
    }

    @Override
    public Path parsePath(URI uri) {
        return fs.parsePath(uri);
    }

    @Override
    public Path parsePath(String path) {
        return fs.parsePath(path);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        check(path);
        fs.checkAccess(path, modes, linkOptions);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        fs.createDirectory(dir, attrs);
    }

    @Override
    public void delete(Path path) throws IOException {
        fs.delete(path);
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
        throws IOException {
        check(path);
        return fs.newByteChannel(path, options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        check(dir);
        return fs.newDirectoryStream(dir, filter);
    }

    @Override
    public Path toAbsolutePath(Path path) {
        return fs.toAbsolutePath(path);
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
        check(path);
        return fs.toRealPath(path, linkOptions);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        check(path);
        return fs.readAttributes(path, attributes, options);
    }

    @Override
    public void setCurrentWorkingDirectory(Path currentWorkingDirectory) {
        fs.setCurrentWorkingDirectory(currentWorkingDirectory);
    }

    @Override
    public Path getTempDirectory() {
        return fs.getTempDirectory();
    }

    @Override
    public boolean isSameFile(Path path1, Path path2, LinkOption... options) throws IOException {
        check(path1);
        check(path2);
        return fs.isSameFile(path1, path2, options);
    }
}
