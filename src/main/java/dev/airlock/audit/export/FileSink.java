package dev.airlock.audit.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * JSON Lines in a file, one ECS object per line, synced to disk after each batch. When the next line would take the
 * file past {@code maxBytes}, it becomes {@code PATH.1} (an older {@code PATH.1} becomes {@code PATH.2}, and so on) and
 * only {@code keep} rotated files are kept.
 */
final class FileSink implements Sink {
    private final String name;
    private final Path path;
    private final long maxBytes;
    private final int keep;
    private FileChannel channel;

    FileSink(String name, Path path, long maxBytes, int keep) {
        this.name = name;
        this.path = path;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void check() {}

    @Override
    public void deliver(List<ExportItem> items) throws IOException {
        if (channel == null) {
            Files.createDirectories(path.toAbsolutePath().getParent());
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.position(channel.size());
        }
        for (ExportItem item : items) {
            byte[] line = (item.json() + "\n").getBytes(StandardCharsets.UTF_8);
            if (channel.size() > 0 && channel.size() + line.length > maxBytes) {
                rotate();
            }
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
        channel.force(false);
    }

    private void rotate() throws IOException {
        channel.force(false);
        channel.close();
        channel = null;
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(path, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private Path rotated(int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
    }

    @Override
    public void reset() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing left to flush: every batch was forced
            }
            channel = null;
        }
    }
}
