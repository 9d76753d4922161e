package io.pseries.script.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Bytes (UTF-8) written to a PrintWriter, so script output follows picocli's configured writers. */
final class WriterOutputStream extends OutputStream {
    private final PrintWriter w;
    private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

    WriterOutputStream(PrintWriter w) {
        this.w = w;
    }

    @Override
    public void write(int b) {
        buf.write(b);
        if (b == '\n') {
            flush();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        buf.write(b, off, len);
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                flush();
                return;
            }
        }
    }

    @Override
    public void flush() {
        w.print(buf.toString(StandardCharsets.UTF_8));
        buf.reset();
        w.flush();
    }
}
