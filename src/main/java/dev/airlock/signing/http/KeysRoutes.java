package dev.airlock.signing.http;

import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.signing.RegistryKey;
import dev.airlock.signing.RegistrySigner;
import io.javalin.config.RoutesConfig;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /-/npm/v1/keys} in npm's shape: the registry's keys (current first), then the keys of the upstreams
 * whose signatures proxied versions keep. Public keys only, so it needs no credentials.
 */
public final class KeysRoutes implements RouteModule {
    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final String TYPE = "ecdsa-sha2-nistp256";

    private final RegistrySigner signer;
    private final Supplier<List<RegistryKey>> upstreamKeys;

    public KeysRoutes(RegistrySigner signer, Supplier<List<RegistryKey>> upstreamKeys) {
        this.signer = signer;
        this.upstreamKeys = upstreamKeys;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/-/npm/v1/keys", ctx -> {
            List<Map<String, Object>> keys = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (List<RegistryKey> list : List.of(signer.keys(), upstreamKeys.get())) {
                for (RegistryKey k : list) {
                    if (seen.add(k.keyid())) {
                        keys.add(npmShape(k));
                    }
                }
            }
            Responses.json(ctx, Map.of("keys", keys));
        });
    }

    private static Map<String, Object> npmShape(RegistryKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("expires", k.expiresAt() == null ? null : ISO.format(Instant.ofEpochMilli(k.expiresAt())));
        m.put("keyid", k.keyid());
        m.put("keytype", TYPE);
        m.put("scheme", TYPE);
        m.put("key", k.spki());
        return m;
    }
}
