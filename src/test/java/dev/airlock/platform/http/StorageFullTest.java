package dev.airlock.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class StorageFullTest {
    @Test
    void recognisesAFullDiskAnywhereInTheCauseChain() {
        assertThat(StorageFull.causes(new UncheckedIOException(
                        "could not store tarball", new IOException("No space left on device"))))
                .isTrue();
        assertThat(StorageFull.causes(new IllegalStateException(
                        "commit",
                        new RuntimeException(
                                "[SQLITE_FULL] Insertion failed because database is full (database or disk is full)"))))
                .isTrue();
        RuntimeException suppressed = new RuntimeException("rollback failed");
        suppressed.addSuppressed(new IOException("Disk quota exceeded"));
        assertThat(StorageFull.causes(suppressed)).isTrue();
    }

    @Test
    void otherFailuresAreNotAFullDisk() {
        assertThat(StorageFull.causes(new UncheckedIOException("could not store tarball", new IOException("EIO"))))
                .isFalse();
        assertThat(StorageFull.causes(new IllegalStateException((String) null))).isFalse();
    }
}
