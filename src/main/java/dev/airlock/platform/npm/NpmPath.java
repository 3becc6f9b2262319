package dev.airlock.platform.npm;

import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A package path as npm clients send it: {@code /name/...}, {@code /@scope%2fname/...} ({@code %2f} or {@code %2F})
 * or {@code /@scope/name/...}. Parsed from the raw (still encoded) URI so that an encoded slash can only ever join a
 * scope to a name. The name is validated before anything else sees it.
 */
public record NpmPath(PackageName name, List<String> rest) {

    public static NpmPath parse(String rawPath) {
        String path = rawPath;
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String[] raw = path.split("/", -1);
        List<String> segments = new ArrayList<>(raw.length);
        for (String s : raw) {
            segments.add(decode(s));
        }
        if (segments.isEmpty() || segments.get(0).isEmpty()) {
            throw AirlockException.notFound("Not found");
        }
        String first = segments.get(0);
        int used = 1;
        String name = first;
        if (first.startsWith("@") && first.indexOf('/') < 0) {
            if (segments.size() < 2) {
                throw AirlockException.badRequest(
                        "Invalid package name \"" + first + "\": a scoped name is @scope/name");
            }
            name = first + "/" + segments.get(1);
            used = 2;
        }
        return new NpmPath(PackageName.parse(name), List.copyOf(segments.subList(used, segments.size())));
    }

    /** The package named by the raw URI after {@code prefix}, with nothing after the name (otherwise 404). */
    public static NpmPath packageAfter(String rawUri, String prefix) {
        NpmPath p = parse(rawUri.substring(prefix.length()));
        if (p.size() != 0) {
            throw AirlockException.notFound("Not found");
        }
        return p;
    }

    /** Strict percent-decoding of one path segment (no '+' to space; malformed escapes are a 400). */
    static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw AirlockException.badRequest("Malformed percent-encoding in the URL");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw AirlockException.badRequest("Malformed percent-encoding in the URL");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public int size() {
        return rest.size();
    }

    public String at(int i) {
        return rest.get(i);
    }
}
