package dev.airlock.publish;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which hosted git repository and ref a dependency spec names, as hosted-git-info reads it ("user/repo",
 * "github:user/repo#v1", "git@github.com:user/repo.git", "https://github.com/user/repo"...). npm publish rewrites such
 * specs in dependencies and devDependencies to hosted-git-info's default form; two specs are the same dependency when
 * they name the same host, user, project, ref and credentials. Returns null for anything else.
 */
final class HostedGitSpec {
    private static final Map<String, String> DOMAINS = Map.of(
            "github.com",
            "github",
            "bitbucket.org",
            "bitbucket",
            "gitlab.com",
            "gitlab",
            "gist.github.com",
            "gist",
            "git.sr.ht",
            "sourcehut");
    private static final Map<String, List<String>> PROTOCOLS = Map.of(
            "github", List.of("git", "http", "git+ssh", "git+https", "ssh", "https"),
            "bitbucket", List.of("git+ssh", "git+https", "ssh", "https"),
            "gitlab", List.of("git+ssh", "git+https", "ssh", "https"),
            "gist", List.of("git", "git+ssh", "git+https", "ssh", "https"),
            "sourcehut", List.of("git+ssh", "https"));
    private static final List<String> AUTH = List.of("git+https", "git", "http", "https", "git+http");

    private HostedGitSpec() {}

    static String identity(String spec) {
        try {
            return parse(spec.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String parse(String spec) {
        int hash = spec.indexOf('#');
        String head = hash < 0 ? spec : spec.substring(0, hash);
        String committish = hash < 0 ? "" : decode(spec.substring(hash + 1));
        if (head.matches("[^\\s:@/.][^\\s:@/]*/[^\\s:@/]*[^\\s:@/]") && !head.endsWith("/")) {
            head = "github:" + head;
        }
        int colon = head.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String protocol = head.substring(0, colon).toLowerCase(Locale.ROOT);
        if (DOMAINS.containsValue(protocol)) {
            String path = head.substring(colon + 1).replaceFirst("^/+", "");
            path = path.substring(path.indexOf('@') + 1);
            int slash = path.lastIndexOf('/');
            String user = slash < 0 ? "" : decode(path.substring(0, slash));
            String project = decode(path.substring(slash + 1)).replaceFirst("\\.git$", "");
            return key(protocol, user, project, committish, "");
        }
        String rest;
        if (head.startsWith(protocol + "://")) {
            rest = head.substring(protocol.length() + 3);
        } else if (head.indexOf('@') >= 0 && head.indexOf('@') < colon) {
            protocol = "git+ssh"; // scp form: git@github.com:user/repo.git
            rest = head.substring(0, colon) + "/" + head.substring(colon + 1);
        } else {
            return null;
        }
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String authority = rest.substring(0, slash);
        String auth = authority.contains("@") ? authority.substring(0, authority.lastIndexOf('@')) : "";
        String host = authority
                .substring(authority.lastIndexOf('@') + 1)
                .toLowerCase(Locale.ROOT)
                .replaceFirst(":\\d*$", "");
        String type = DOMAINS.get(host.startsWith("www.") ? host.substring(4) : host);
        if (type == null || !PROTOCOLS.get(type).contains(protocol)) {
            return null;
        }
        String[] segments = rest.substring(slash + 1).split("/", -1);
        String user = segments[0];
        String project = segments.length > 1 ? segments[1] : "";
        if (type.equals("github") && segments.length > 2 && !segments[2].isEmpty()) {
            if (!segments[2].equals("tree")) {
                return null;
            }
            committish = segments.length > 3 ? decode(segments[3]) : "";
        } else if (type.equals("gitlab")) {
            user = String.join("/", List.of(segments).subList(0, segments.length - 1));
            project = segments[segments.length - 1];
        } else if (type.equals("gist") && project.isEmpty()) {
            project = user;
            user = "";
        }
        project = project.replaceFirst("\\.git$", "");
        if ((user.isEmpty() && !type.equals("gist")) || project.isEmpty()) {
            return null;
        }
        return key(type, decode(user), decode(project), committish, AUTH.contains(protocol) ? auth : "");
    }

    private static String key(String type, String user, String project, String committish, String auth) {
        return type + "\u0000" + user + "\u0000" + project + "\u0000" + committish + "\u0000" + auth;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
