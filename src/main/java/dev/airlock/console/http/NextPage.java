package dev.airlock.console.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Where sign-in may send the browser afterwards ({@code ?next=}): a page of this console, never elsewhere. The path
 * is percent-decoded until it stops changing ({@code %2e%2e}, {@code %252e}, {@code %2f}), backslashes count as
 * slashes (browsers treat them so), repeated slashes collapse and dot segments are resolved as a browser would
 * (RFC 3986 §5.2.4); what is left must still be under {@code /-/console/}, else the console's home is used.
 */
final class NextPage {
    static final String HOME = "/-/console/";
    private static final String PREFIX = "/-/console/";

    private NextPage() {}

    static String of(String next) {
        if (next == null || next.length() > 300 || !next.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return HOME;
        }
        int q = next.indexOf('?');
        String path = q < 0 ? next : next.substring(0, q);
        String query = q < 0 ? "" : next.substring(q);
        for (int i = 0; i < 5 && path.contains("%"); i++) {
            try {
                path = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return HOME;
            }
        }
        if (path.contains("%") || !path.chars().allMatch(c -> c > 0x20 && c < 0x7f) || query.contains("#")) {
            return HOME;
        }
        path = path.replace('\\', '/');
        if (!path.startsWith("/")) {
            return HOME;
        }
        String normal = removeDotSegments(path.replaceAll("/{2,}", "/"));
        return normal.startsWith(PREFIX) ? normal + query : HOME;
    }

    private static String removeDotSegments(String path) {
        Deque<String> out = new ArrayDeque<>();
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if (s.equals("..")) {
                out.pollLast();
                if (last) {
                    out.addLast("");
                }
            } else if (s.equals(".")) {
                if (last) {
                    out.addLast("");
                }
            } else {
                out.addLast(s);
            }
        }
        return "/" + String.join("/", out);
    }
}
