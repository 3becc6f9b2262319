package dev.airlock.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.testing.Http;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the scenario's clients sent and which of it the server acknowledged, and the checks after a fault: every
 * acknowledged write is there whole, every unacknowledged one is wholly there or wholly absent, and every version any
 * packument lists has its tarball with the integrity the packument states (no partial version).
 */
final class FaultLedger {
    enum Kind {
        PUBLISH,
        STAGE,
        APPROVE
    }

    /** One write: what was sent, by whom, and whether a 2xx came back ({@code stageId} for stages and approvals). */
    static final class Attempt {
        final Kind kind;
        final FaultUsers.Sent sent;
        final String token;
        volatile String stageId;
        volatile boolean acked;

        Attempt(Kind kind, FaultUsers.Sent sent, String token, String stageId) {
            this.kind = kind;
            this.sent = sent;
            this.token = token;
            this.stageId = stageId;
        }
    }

    private final List<Attempt> attempts = new ArrayList<>();
    private final Set<String> packages = new LinkedHashSet<>();
    /** Unacknowledged writes found wholly there / wholly absent at the last check, by kind. */
    final Map<Kind, int[]> unackedOutcomes = new HashMap<>();

    synchronized Attempt add(Kind kind, FaultUsers.Sent sent, String token, String stageId) {
        Attempt a = new Attempt(kind, sent, token, stageId);
        attempts.add(a);
        packages.add(sent.name());
        return a;
    }

    synchronized List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    synchronized Set<String> packages() {
        return Set.copyOf(packages);
    }

    int count(Kind kind, boolean acked) {
        return (int) attempts().stream()
                .filter(a -> a.kind == kind && a.acked == acked)
                .count();
    }

    /** Checks the registry against the ledger; returns the problems (empty when nothing is partial or lost). */
    List<String> check(Http http) {
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> docs = new HashMap<>();
        for (String name : packages()) {
            Http.Response r = http.get(name, null);
            if (r.status() == 404) {
                continue; // its first publish was never acknowledged and never happened
            }
            if (r.status() != 200) {
                problems.add("GET /" + name + " -> " + r.status() + " " + r.body());
                continue;
            }
            JsonNode doc = r.json();
            docs.put(name, doc);
            doc.path("versions").properties().forEach(e -> {
                String problem = wholeTarball(http, e.getValue());
                if (problem != null) {
                    problems.add("partial version " + name + "@" + e.getKey() + ": " + problem);
                }
            });
        }
        unackedOutcomes.clear();
        Map<String, Map<String, JsonNode>> stages = new HashMap<>();
        for (Attempt a : attempts()) {
            String id = a.sent.name() + "@" + a.sent.version();
            JsonNode doc = docs.get(a.sent.name());
            JsonNode v = doc == null ? null : doc.path("versions").get(a.sent.version());
            boolean visible = v != null && sameBytes(v, a.sent.tgz());
            if (v != null && !visible) {
                problems.add(id + " is served with other bytes than were sent");
            }
            boolean there;
            switch (a.kind) {
                case PUBLISH -> {
                    there = visible;
                    if (!there) {
                        String path = a.sent.name() + "/-/" + a.sent.name() + "-" + a.sent.version() + ".tgz";
                        if (http.bytes(path, null) != null) {
                            problems.add(id + " is absent from the packument but its tarball is served");
                        }
                    }
                }
                case STAGE -> {
                    JsonNode item = stages.computeIfAbsent(a.sent.name(), n -> stageList(http, n, a.token))
                            .get(a.sent.version());
                    there = visible || item != null;
                    if (item != null
                            && !a.sent.version().equals(item.path("version").asText())) {
                        problems.add(id + " staged under another version");
                    }
                    if (item != null
                            && !sri(a.sent.tgz()).equals(item.path("integrity").asText())) {
                        problems.add(id + " staged with an integrity other than its tarball's");
                    }
                    if (item != null && "pending".equals(item.path("state").asText()) && v != null) {
                        problems.add(id + " is pending yet visible in the packument");
                    }
                }
                default -> there = visible; // APPROVE: published whole, or still pending
            }
            if (a.acked && !there) {
                problems.add("acknowledged " + a.kind + " of " + id + " is lost");
            }
            if (!a.acked) {
                unackedOutcomes.computeIfAbsent(a.kind, k -> new int[2])[there ? 0 : 1]++;
            }
        }
        return problems;
    }

    private static Map<String, JsonNode> stageList(Http http, String name, String token) {
        Map<String, JsonNode> byVersion = new HashMap<>();
        for (int page = 0; ; page++) {
            Http.Response r = http.get("-/stage?perPage=100&page=" + page + "&package=" + name, token);
            if (r.status() != 200) {
                throw new IllegalStateException("GET /-/stage -> " + r.status() + " " + r.body());
            }
            JsonNode items = r.json().path("items");
            items.forEach(i -> byVersion.put(i.path("version").asText(), i));
            if (items.size() < 100) {
                return byVersion;
            }
        }
    }

    /** Null when the version's tarball is served whole (its SHA-512 is the packument's integrity). */
    static String wholeTarball(Http http, JsonNode version) {
        String url = version.path("dist").path("tarball").asText();
        String integrity = version.path("dist").path("integrity").asText();
        byte[] bytes = http.bytes(URI.create(url).getRawPath(), null);
        if (bytes == null) {
            return "tarball " + url + " is not served";
        }
        return sri(bytes).equals(integrity) ? null : "tarball bytes do not match " + integrity;
    }

    private static boolean sameBytes(JsonNode version, byte[] tgz) {
        return sri(tgz).equals(version.path("dist").path("integrity").asText());
    }

    static String sri(byte[] bytes) {
        return "sha512-"
                + Base64.getEncoder().encodeToString(Hashes.digest("SHA-512").digest(bytes));
    }
}
