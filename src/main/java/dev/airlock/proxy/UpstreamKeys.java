package dev.airlock.proxy;

import dev.airlock.platform.db.Database;
import dev.airlock.signing.ProxySignatures;
import dev.airlock.signing.RegistryKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstreams' registry keys (docs/adr/0010): each upstream's {@code /-/npm/v1/keys}, stored in the database,
 * fetched when first needed (a packument stored, or our own keys endpoint read) and again when they are a day old, or
 * at once when a packument names a keyid they lack; at most once an hour per
 * upstream on this node, so a packument with signatures by a key nobody serves, or an upstream that fails, costs one
 * request an hour. An upstream without a keys endpoint (404) has none. A failed fetch keeps the keys stored.
 */
final class UpstreamKeys {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamKeys.class);
    static final long DAY_MILLIS = 24 * 3600_000L;
    static final long HOUR_MILLIS = 3600_000L;

    private final Database db;
    private final ProxySignatures signatures;
    private final Clock clock;
    private final Map<String, Long> attempts = new ConcurrentHashMap<>();

    UpstreamKeys(Database db, ProxySignatures signatures, Clock clock) {
        this.db = db;
        this.signatures = signatures;
        this.clock = clock;
    }

    /**
     * Before a packument fetched from {@code route} is stored: fetches the upstream's keys when they were never
     * fetched, are a day old, or lack one of {@code keyids} (what the packument's signatures name).
     */
    void refresh(Route route, Set<String> keyids) {
        String url = route.url();
        ProxySignatures.UpstreamKeys known = db.read(tx -> signatures.upstreamKeys(tx, url));
        long now = clock.millis();
        boolean due = known == null
                || now - known.fetchedAt() >= DAY_MILLIS
                || !known.keyids().containsAll(keyids);
        if (!due || route.open()) {
            return;
        }
        Long last = attempts.get(url);
        if (last != null && now - last < HOUR_MILLIS) {
            return;
        }
        attempts.put(url, now);
        byte[] body;
        try {
            body = route.upstream().keys();
        } catch (Upstream.Failure e) {
            LOG.warn("Could not fetch the registry keys of upstream {}: {}", url, e.getMessage());
            return;
        }
        List<RegistryKey> keys;
        try {
            keys = ProxySignatures.parseKeys(body);
        } catch (IllegalArgumentException e) {
            LOG.warn("Upstream {} answered /-/npm/v1/keys with something else than keys: {}", url, e.getMessage());
            return;
        }
        db.write(tx -> {
            signatures.putUpstreamKeys(tx, url, keys, now);
            return null;
        });
        LOG.info("Upstream {} serves {} registry key(s)", url, keys.size());
    }

    /**
     * The keys of these upstreams, for {@code /-/npm/v1/keys}: fetched first where they were never fetched or are a
     * day old (npm asks for the keys before it reads any packument, so they cannot wait for one).
     */
    List<RegistryKey> served(List<Route> routes) {
        routes.forEach(r -> refresh(r, Set.of()));
        return db.read(tx ->
                signatures.upstreamKeys(tx, routes.stream().map(Route::url).toList()));
    }
}
