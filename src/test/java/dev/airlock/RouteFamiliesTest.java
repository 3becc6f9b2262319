package dev.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.metrics.RouteFamily;
import dev.airlock.platform.http.Route;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every route the server registers belongs to a named family of airlock_http_server_requests_seconds (docs/metrics.md). */
class RouteFamiliesTest {
    @Test
    void everyRegisteredRouteHasAFamily() throws Exception {
        List<Route> routes = RoutesCommand.routes();
        assertThat(routes).hasSizeGreaterThan(50);
        for (Route r : routes) {
            RouteFamily f = r.path().equals("/<path>")
                    ? RouteFamily.ofPackagePath(
                            r.method().equals("GET") || r.method().equals("HEAD"), "/x")
                    : RouteFamily.ofPattern(r.path());
            assertThat(f).as(r.method() + " " + r.path()).isNotEqualTo(RouteFamily.OTHER);
        }
    }

    @Test
    void familiesFollowTheRouteNotTheName() {
        assertThat(RouteFamily.ofPattern("/-/metrics")).isEqualTo(RouteFamily.METRICS);
        assertThat(RouteFamily.ofPattern("/-/stage/{id}/approve")).isEqualTo(RouteFamily.STAGE);
        assertThat(RouteFamily.ofPattern("/-/airlock/v1/stage/{id}/review")).isEqualTo(RouteFamily.STAGE);
        assertThat(RouteFamily.ofPattern("/-/user/{id}")).isEqualTo(RouteFamily.LOGIN);
        assertThat(RouteFamily.ofPattern("/-/user/token/{token}")).isEqualTo(RouteFamily.TOKEN);
        assertThat(RouteFamily.ofPattern("/-/user/{user}/package")).isEqualTo(RouteFamily.ACCESS);
        assertThat(RouteFamily.ofPattern("/-/package/{scope}/{name}/trust")).isEqualTo(RouteFamily.TRUST);
        assertThat(RouteFamily.ofPattern("/-/npm/v1/oidc/token/exchange/package/<path>"))
                .isEqualTo(RouteFamily.TRUST);
        assertThat(RouteFamily.ofPattern("/-/package/<path>")).isEqualTo(RouteFamily.ACCESS);
        assertThat(RouteFamily.ofPattern(null)).isEqualTo(RouteFamily.OTHER);
        assertThat(RouteFamily.ofPackagePath(true, "/@acme/lib/-/lib-1.0.0.tgz"))
                .isEqualTo(RouteFamily.TARBALL);
        assertThat(RouteFamily.ofPackagePath(true, "/@acme%2flib")).isEqualTo(RouteFamily.PACKUMENT);
        // a package whose name ends in .tgz is still a packument
        assertThat(RouteFamily.ofPackagePath(true, "/odd.tgz")).isEqualTo(RouteFamily.PACKUMENT);
        assertThat(RouteFamily.ofPackagePath(false, "/lib/-/lib-1.0.0.tgz/-rev/3"))
                .isEqualTo(RouteFamily.PUBLISH);
    }
}
