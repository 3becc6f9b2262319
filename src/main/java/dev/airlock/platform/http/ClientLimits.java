package dev.airlock.platform.http;

import dev.airlock.platform.config.AirlockConfig;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.MinimumDataRateHandler;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * {@code server.limits.*} on Jetty: slow and hostile clients cannot hold the server. A connection silent for
 * {@code idleTimeout} is closed (a slowloris trickling its head byte by byte is bounded by the whole-head size and the
 * connection cap instead); at {@code maxConnections} open connections Jetty stops accepting until one closes (and
 * closes idle ones sooner); a head over {@code maxHeaderBytes} is answered 431; a body arriving slower than
 * {@code minRequestBytesPerSecond} (averaged from the request's start, so a slow start is forgiven) is cut off.
 */
final class ClientLimits {
    private ClientLimits() {}

    static void apply(Server server, AirlockConfig.ServerLimits limits) {
        long idle = limits.idleTimeout().toMillis();
        NetworkConnectionLimit cap = new NetworkConnectionLimit(limits.maxConnections(), server);
        // at the cap, connections idle for a tenth of the usual time are closed to make room
        cap.setEndPointIdleTimeout(Math.max(1000, idle / 10));
        server.addBean(cap);
        if (limits.minRequestBytesPerSecond() > 0) {
            // responses are not held to a rate: a client on a slow link may read a large tarball slowly
            server.insertHandler(new MinimumDataRateHandler(limits.minRequestBytesPerSecond(), 0));
        }
        // the connectors exist once Javalin starts the server: set their idle timeout then
        server.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                for (Connector c : server.getConnectors()) {
                    if (c instanceof AbstractConnector a) {
                        a.setIdleTimeout(idle);
                    }
                }
            }
        });
    }

    static void apply(HttpConfiguration http, AirlockConfig.ServerLimits limits) {
        http.setRequestHeaderSize(limits.maxHeaderBytes());
    }
}
