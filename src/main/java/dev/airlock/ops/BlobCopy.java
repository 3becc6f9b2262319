package dev.airlock.ops;

import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.shared.AirlockException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Copies and checks content-addressed blobs: a blob's key is the SHA-512 (hex) of its bytes. */
public final class BlobCopy {
    private BlobCopy() {}

    /** Reads the blob through and fails unless its bytes hash to its key; returns its size. */
    public static long check(BlobStore store, String key) throws IOException {
        try (Hashing in = new Hashing(store.open(key))) {
            in.transferTo(OutputStreamNull.INSTANCE);
            in.require(key);
            return in.count;
        }
    }

    /**
     * Copies {@code key} from one store to the other, checking on the way that the bytes hash to the key; a blob that
     * does not is deleted from {@code to} and named in the error. Returns the size.
     */
    public static long copy(BlobStore from, BlobStore to, String key) throws IOException {
        Hashing in = new Hashing(from.open(key));
        to.put(key, in); // reads to the end and closes
        try {
            in.require(key);
        } catch (AirlockException e) {
            to.delete(key);
            throw e;
        }
        return in.count;
    }

    /** Counts and hashes what passes through. */
    static final class Hashing extends FilterInputStream {
        private final MessageDigest sha512 = Hashes.digest("SHA-512");
        long count;

        Hashing(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                sha512.update((byte) b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                sha512.update(buf, off, n);
                count += n;
            }
            return n;
        }

        void require(String key) {
            String actual = Hashes.hex(sha512.digest());
            if (!actual.equals(key)) {
                throw AirlockException.unprocessable("blob " + key + " is damaged: its " + count + " bytes hash to "
                        + actual.substring(0, 16) + "…, not to its key");
            }
        }
    }

    /** Discards what it is given. */
    static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
