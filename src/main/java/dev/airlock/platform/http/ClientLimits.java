package dev.airlock.platform.http;

import dev.airlock.platform.config.AirlockConfig;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * {@code server.limits.*} on Jetty: slow and hostile clients cannot hold the server. A connection silent for
 * {@code idleTimeout} is closed (a slowloris trickling its head byte by byte is bounded by the whole-head size and the
 * connection cap instead); at {@code maxConnections} open connections Jetty stops accepting until one closes (and
 * closes idle ones sooner); a head over {@code maxHeaderBytes} is answered 431; a body arriving slower than
 * {@code minRequestBytesPerSecond} (averaged over the request's body since it was first read, after a one-second grace)
 * is cut off (400).
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
            server.insertHandler(new MinimumBodyRate(limits.minRequestBytesPerSecond()));
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

    private static final String TOO_SLOW = "the request body arrived slower than ";

    /** Whether reading a body failed because {@link MinimumBodyRate} cut it off. */
    static boolean tooSlow(Throwable e) {
        return dev.airlock.shared.Throwables.anyCause(
                e,
                t -> t instanceof TimeoutException
                        && t.getMessage() != null
                        && t.getMessage().startsWith(TOO_SLOW));
    }

    /**
     * Cuts off a request body arriving slower than {@code min} bytes/s, averaged over this request since its body was
     * first read, after a one-second grace. (Jetty's MinimumDataRateHandler divides the bytes of every request the
     * handler has seen by this request's time, so on a busy server it never cuts anything off.)
     */
    static final class MinimumBodyRate extends Handler.Wrapper {
        private static final long GRACE_NANOS = 1_000_000_000L;
        private final long min;

        MinimumBodyRate(long min) {
            this.min = min;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            return super.handle(
                    new Request.Wrapper(request) {
                        private long start;
                        private long bytes;

                        @Override
                        public Content.Chunk read() {
                            long now = System.nanoTime();
                            if (start == 0) {
                                start = now;
                            }
                            Content.Chunk chunk = super.read();
                            if (chunk != null && !Content.Chunk.isFailure(chunk)) {
                                bytes += chunk.remaining();
                                long elapsed = now - start;
                                if (!chunk.isLast()
                                        && elapsed > GRACE_NANOS
                                        && bytes * 1_000_000_000L / elapsed < min) {
                                    chunk.release();
                                    return Content.Chunk.from(new TimeoutException(TOO_SLOW + min + " bytes/s"));
                                }
                            }
                            return chunk;
                        }
                    },
                    response,
                    callback);
        }
    }
}
