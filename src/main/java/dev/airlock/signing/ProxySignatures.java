package dev.airlock.signing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Registry signatures of proxied versions (docs/adr/0010): a version keeps the upstream's {@code dist.signatures} when
 * one of them names a key the upstream serves; otherwise this registry signs {@code name@version:integrity} with its
 * own key, once per (package, version, integrity): the signature is remembered in {@code proxy_signatures} and reused
 * when the packument is built again. Also keeps the upstreams' public keys ({@code upstream_keys}), which
 * {@code /-/npm/v1/keys} serves after the registry's own. Fetching them is the proxy's part.
 */
public final class ProxySignatures {
    private static final String TYPE = "ecdsa-sha2-nistp256";

    private final RegistrySigner signer;
    private final JdbiSigningStore store = new JdbiSigningStore();

    public ProxySignatures(RegistrySigner signer) {
        this.signer = signer;
    }

    /** An upstream's keys as last fetched, and when. */
    public record UpstreamKeys(List<RegistryKey> keys, long fetchedAt) {
        public UpstreamKeys {
            keys = List.copyOf(keys);
        }

        public Set<String> keyids() {
            return keys.stream().map(RegistryKey::keyid).collect(Collectors.toSet());
        }
    }

    /** The keys of {@code upstream} as last stored; null when they were never fetched. */
    public UpstreamKeys upstreamKeys(Tx tx, String upstream) {
        JdbiSigningStore.StoredKeys stored = store.upstreamKeys(tx, upstream);
        return stored == null ? null : new UpstreamKeys(parse(stored.json()), stored.fetchedAt());
    }

    /** The keys of these upstreams, in their order, for {@code /-/npm/v1/keys}. */
    public List<RegistryKey> upstreamKeys(Tx tx, List<String> upstreams) {
        List<RegistryKey> out = new ArrayList<>();
        for (String u : upstreams) {
            UpstreamKeys k = upstreamKeys(tx, u);
            if (k != null) {
                out.addAll(k.keys());
            }
        }
        return out;
    }

    /**
     * The keys in what an upstream answered on {@code /-/npm/v1/keys} ({@code body} null: it has no keys endpoint,
     * so none). Only ECDSA P-256 keys are kept (the only kind npm signs with). IllegalArgumentException when the body
     * is not npm's shape, so a broken answer does not replace good keys.
     */
    public static List<RegistryKey> parseKeys(byte[] body) {
        return body == null ? List.of() : parse(new String(body, StandardCharsets.UTF_8));
    }

    /** Stores {@code upstream}'s keys, fetched at {@code fetchedAt}. */
    public void putUpstreamKeys(Tx tx, String upstream, List<RegistryKey> keys, long fetchedAt) {
        String json = Json.write(
                Map.of("keys", keys.stream().map(ProxySignatures::npmShape).toList()));
        store.putUpstreamKeys(tx, upstream, json, fetchedAt);
    }

    private static Map<String, Object> npmShape(RegistryKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(
                "expires",
                k.expiresAt() == null
                        ? null
                        : Instant.ofEpochMilli(k.expiresAt()).toString());
        m.put("keyid", k.keyid());
        m.put("keytype", TYPE);
        m.put("scheme", TYPE);
        m.put("key", k.spki());
        return m;
    }

    private static List<RegistryKey> parse(String json) {
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the keys document is not JSON: " + e.getMessage(), e);
        }
        JsonNode keys = doc == null ? null : doc.get("keys");
        if (keys == null || !keys.isArray()) {
            throw new IllegalArgumentException("the keys document has no \"keys\" array");
        }
        List<RegistryKey> out = new ArrayList<>();
        for (JsonNode k : keys) {
            if (!TYPE.equals(k.path("keytype").asText())
                    || !k.path("keyid").isTextual()
                    || !k.path("key").isTextual()) {
                continue;
            }
            Long expires = null;
            if (k.path("expires").isTextual()) {
                try {
                    expires = Instant.parse(k.path("expires").asText()).toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("a key's expires is not a time: " + k.path("expires"), e);
                }
            }
            out.add(new RegistryKey(k.path("keyid").asText(), k.path("key").asText(), 0, expires));
        }
        return out;
    }

    /**
     * The signatures of one package's versions while its served copy is built: reads the package's remembered
     * signatures and its upstream's keyids in {@code tx} (two queries, none per version); {@link Batch#save} writes
     * the signatures made meanwhile in the transaction that stores the copy.
     */
    public Batch begin(Tx tx, String pkg, String upstream) {
        UpstreamKeys keys = upstreamKeys(tx, upstream);
        return new Batch(pkg, keys == null ? Set.of() : keys.keyids(), store.proxySignatures(tx, pkg));
    }

    /** The signing decisions for one package's versions (not thread-safe: one build). */
    public final class Batch {
        private final String pkg;
        private final Set<String> upstreamKeyids;
        private final Map<String, SignatureRef> remembered;
        private final Map<String, SignatureRef> made = new LinkedHashMap<>();
        private int kept;
        private int reused;

        private Batch(String pkg, Set<String> upstreamKeyids, Map<String, SignatureRef> remembered) {
            this.pkg = pkg;
            this.upstreamKeyids = upstreamKeyids;
            this.remembered = remembered;
        }

        /**
         * What a version's {@code dist.signatures} becomes: the upstream's signatures that name a key the upstream
         * serves, when there is one; otherwise this registry's signature over {@code pkg@version:integrity}
         * (remembered or new). Empty when there is no integrity to sign.
         */
        public List<SignatureRef> signatures(String version, String integrity, List<SignatureRef> upstream) {
            List<SignatureRef> known = upstream.stream()
                    .filter(s -> upstreamKeyids.contains(s.keyid()))
                    .toList();
            if (!known.isEmpty()) {
                kept++;
                return known;
            }
            if (integrity == null || integrity.isEmpty()) {
                return List.of();
            }
            String key = version + '\0' + integrity;
            SignatureRef old = remembered.get(key);
            if (old != null) {
                reused++;
                return List.of(old);
            }
            SignatureRef sig = made.computeIfAbsent(key, k -> signer.signVersion(pkg, version, integrity));
            return List.of(sig);
        }

        /** Stores the signatures this batch made (in the transaction that stores the served copy). */
        public void save(Tx tx) {
            made.forEach((key, sig) -> {
                int nul = key.indexOf('\0');
                store.saveProxySignature(tx, pkg, key.substring(0, nul), key.substring(nul + 1), sig);
            });
        }

        /** Versions that kept the upstream's signatures, reused a remembered one, and were signed now. */
        public String summary() {
            return kept + " kept, " + reused + " reused, " + made.size() + " signed";
        }
    }
}
