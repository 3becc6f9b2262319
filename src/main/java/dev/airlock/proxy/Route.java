package dev.airlock.proxy;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.npm.RegistryClient;
import dev.airlock.shared.PackageName;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream registry as the proxy routes to it: the names it serves, its HTTP client (with its own token), its
 * own circuit breaker and failure counts, and how long a packument fetched from it is served before revalidation.
 */
final class Route {
    private static final Logger LOG = LoggerFactory.getLogger(Route.class);
    static final int BREAKER_THRESHOLD = 5;
    static final long BREAKER_OPEN_MILLIS = 30_000;

    private final String url;
    private final RegistryClient client;
    private final Upstream upstream;
    private final CircuitBreaker breaker;
    private final List<String> patterns;
    private final long maxAgeMillis;

    Route(AirlockConfig.Upstream config, Path spoolDir, Clock clock) {
        this.client = new RegistryClient(
                java.net.URI.create(config.url()),
                config.token(),
                Duration.ofSeconds(config.timeoutSeconds()),
                "airlock-proxy",
                " (the upstream wants a token: set its token in proxy.upstream(s))");
        this.url = client.registry().toString();
        this.upstream = new Upstream(client, spoolDir);
        this.breaker = new CircuitBreaker(BREAKER_THRESHOLD, BREAKER_OPEN_MILLIS, clock);
        this.patterns =
                config.match().stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
        this.maxAgeMillis = config.maxAgeSeconds() * 1000L;
    }

    /** Whether this upstream serves the name: one of its patterns matches, or it has none. */
    boolean serves(PackageName name) {
        return patterns.isEmpty() || InternalNames.matching(patterns, name) != null;
    }

    /** The registry's URL with a trailing slash: what cached rows record as where they came from. */
    String url() {
        return url;
    }

    RegistryClient client() {
        return client;
    }

    Upstream upstream() {
        return upstream;
    }

    long maxAgeMillis() {
        return maxAgeMillis;
    }

    boolean open() {
        return breaker.open();
    }

    void success() {
        breaker.success();
    }

    /** Counts and logs a failed request for {@code what}; the breaker opens after five in a row. */
    void failed(String what, Upstream.Failure e) {
        if (breaker.failure()) {
            LOG.error(
                    "Upstream {} failed {} times in a row; not asking it for {}s",
                    url,
                    BREAKER_THRESHOLD,
                    BREAKER_OPEN_MILLIS / 1000);
        }
        LOG.warn(
                "Upstream {} request for {} failed ({} failures so far): {}",
                url,
                what,
                breaker.failures(),
                e.getMessage());
    }

    ProxyService.Health health() {
        return new ProxyService.Health(breaker.failures(), breaker.consecutive(), breaker.open());
    }
}
