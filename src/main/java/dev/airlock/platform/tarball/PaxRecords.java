package dev.airlock.platform.tarball;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The records of a PAX extended header ({@code "<length> <key>=<value>\n"}), parsed strictly: node-tar splits the body
 * on newlines and drops records whose length does not match, so a record it would drop or split differently (bad length,
 * newline or NUL in a value, leading zeros), a repeated key, or a key that changes how an entry is read elsewhere (type,
 * linkpath, GNU sparse maps) is refused rather than guessed at.
 */
final class PaxRecords {
    private static final Set<String> LOCAL_REFUSED = Set.of("type", "linkpath");
    private static final Set<String> GLOBAL_REFUSED = Set.of("type", "linkpath", "path", "size");

    private PaxRecords() {}

    static Map<String, String> parse(byte[] body, boolean global) {
        Map<String, String> records = new LinkedHashMap<>();
        int pos = 0;
        while (pos < body.length) {
            int i = pos;
            long length = 0;
            while (i < body.length && body[i] >= '0' && body[i] <= '9' && length < body.length) {
                length = length * 10 + (body[i++] - '0');
            }
            if (i == pos
                    || body[pos] == '0'
                    || i >= body.length
                    || body[i] != ' '
                    || pos + length > body.length
                    || body[(int) (pos + length - 1)] != '\n') {
                throw malformed();
            }
            int end = (int) (pos + length - 1);
            int eq = i + 1;
            while (eq < end && body[eq] != '=') {
                eq++;
            }
            if (eq == i + 1 || eq == end) {
                throw malformed();
            }
            for (int k = i + 1; k < end; k++) {
                if (body[k] == '\n' || body[k] == 0) {
                    throw malformed();
                }
            }
            String key = TarHeader.utf8(body, i + 1, eq - i - 1);
            String value = TarHeader.utf8(body, eq + 1, end - eq - 1);
            if ((global ? GLOBAL_REFUSED : LOCAL_REFUSED).contains(key) || key.startsWith("GNU.sparse")) {
                throw new TarballRefusedException("the tarball has an extended header that sets " + key);
            }
            if (records.put(key, value) != null) {
                throw new TarballRefusedException("the tarball has an extended header that sets " + key + " twice");
            }
            pos = (int) (pos + length);
        }
        if (records.containsKey("size") && !records.get("size").matches("[0-9]{1,15}")) {
            throw malformed();
        }
        if (records.containsKey("path") && records.get("path").isEmpty()) {
            throw new TarballRefusedException("the tarball contains an entry without a name");
        }
        return records;
    }

    private static TarballRefusedException malformed() {
        return new TarballRefusedException("the tarball has a malformed extended header");
    }
}
