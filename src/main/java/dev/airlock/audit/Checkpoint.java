package dev.airlock.audit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A signed checkpoint of the audit log in the C2SP {@code tlog-checkpoint} format: the body is the origin line, the
 * tree size in decimal and the root hash in base64, each ending in a newline; it is a signed note, so a blank line and
 * one or more lines {@code — <key name> base64(key id || Ed25519 signature over the body)} follow.
 */
public record Checkpoint(String origin, long size, byte[] root, String text) {
    private static final String DASH = "\u2014 ";

    public static Checkpoint sign(NoteKey key, long size, byte[] root) {
        String body = key.name() + "\n" + size + "\n" + Base64.getEncoder().encodeToString(root) + "\n";
        byte[] sig = key.sign(body.getBytes(StandardCharsets.UTF_8));
        String line = DASH + key.name() + " " + Base64.getEncoder().encodeToString(NoteKey.concat(key.id(), sig));
        return new Checkpoint(key.name(), size, root.clone(), body + "\n" + line + "\n");
    }

    /** Reads a checkpoint (signatures are checked by {@link #signedBy}); a malformed one is refused with the reason. */
    public static Checkpoint parse(String text) {
        int sep = text.indexOf("\n\n");
        if (sep < 0) {
            throw new IllegalArgumentException("not a signed checkpoint: no blank line before the signatures");
        }
        String[] lines = text.substring(0, sep + 1).split("\n", -1);
        if (lines.length < 4) {
            throw new IllegalArgumentException("not a checkpoint: expected origin, tree size and root hash lines");
        }
        long size;
        byte[] root;
        try {
            size = Long.parseLong(lines[1]);
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a checkpoint: bad tree size or root hash", e);
        }
        if (size < 0 || root.length != 32) {
            throw new IllegalArgumentException("not a checkpoint: bad tree size or root hash");
        }
        return new Checkpoint(lines[0], size, root, text);
    }

    /** The body the signatures are over: everything up to the blank line. */
    String body() {
        return text.substring(0, text.indexOf("\n\n") + 1);
    }

    /** Does a signature line of this note verify with {@code key} (same name, same key id)? */
    public boolean signedBy(NoteKey key) {
        byte[] body = body().getBytes(StandardCharsets.UTF_8);
        for (String line : text.substring(text.indexOf("\n\n") + 2).split("\n")) {
            if (!line.startsWith(DASH)) {
                continue;
            }
            String[] parts = line.substring(DASH.length()).split(" ");
            if (parts.length != 2 || !parts[0].equals(key.name())) {
                continue;
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (raw.length == 68
                    && Arrays.equals(Arrays.copyOf(raw, 4), key.id())
                    && key.verify(body, Arrays.copyOfRange(raw, 4, 68))) {
                return true;
            }
        }
        return false;
    }

    /** The names of the keys that signed it (whatever they are). */
    public java.util.List<String> signers() {
        return text.substring(text.indexOf("\n\n") + 2)
                .lines()
                .filter(l -> l.startsWith(DASH))
                .map(l -> l.substring(DASH.length()).split(" ")[0])
                .toList();
    }

    public String rootHex() {
        return java.util.HexFormat.of().formatHex(root);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return origin + " " + size + " " + rootHex();
    }
}
