package dev.airlock.audit.export;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Syslog (RFC 5424) over TCP, or over TLS (RFC 5425), with octet-counted framing ({@code LEN SP MSG}): facility 13
 * (log audit), severity informational (notice for a failure), APP-NAME {@code airlock}, MSGID the action, structured
 * data {@code [airlock@32473 seq="N"]} (or {@code checkpoint="SIZE"}) and the ECS JSON as the message. Over TLS the
 * collector's certificate must chain to {@code caFile} (or the JDK's trust store) and name the configured host.
 */
final class SyslogSink implements Sink {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private final String name;
    private final String host;
    private final int port;
    private final SSLSocketFactory tls;
    private final String hostname = localHostName();
    private final long pid = ProcessHandle.current().pid();
    private Socket socket;
    private OutputStream out;

    SyslogSink(String name, String host, int port, SSLSocketFactory tls) {
        this.name = name;
        this.host = host;
        this.port = port;
        this.tls = tls;
    }

    /** TLS trusting the PEM certificates in {@code caFile}, or the JDK's trust store when null. */
    static SSLSocketFactory tls(String sink, Path caFile) {
        try {
            return dev.airlock.platform.crypto.TrustedCas.socketFactory(caFile);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "audit.sinks entry \"" + sink + "\": cannot use caFile " + caFile + " (" + e.getMessage()
                            + "); give a PEM file with the certificate of the CA that signed the collector's",
                    e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** A syslog collector never writes back: end of stream (or an error) on the socket means it is gone. */
    @Override
    public void check() throws IOException {
        if (socket == null) {
            return;
        }
        socket.setSoTimeout(1);
        try {
            if (socket.getInputStream().read() < 0) {
                throw new IOException("the collector closed the connection");
            }
        } catch (SocketTimeoutException open) {
            // nothing to read: still connected
        }
    }

    @Override
    public void deliver(List<ExportItem> items) throws IOException {
        if (socket == null) {
            connect();
        }
        for (ExportItem item : items) {
            byte[] msg = message(item).getBytes(StandardCharsets.UTF_8);
            out.write((msg.length + " ").getBytes(StandardCharsets.US_ASCII));
            out.write(msg);
        }
        out.flush();
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            s.setSoTimeout(CONNECT_TIMEOUT_MS * 2);
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(s, host, port, true);
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
                ssl.startHandshake();
                s = ssl;
            }
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
    }

    /** The RFC 5424 message of one item. */
    String message(ExportItem item) {
        int severity = item.failure() ? 5 : 6;
        String sd = item.checkpoint()
                ? "[airlock@32473 checkpoint=\"" + item.after().checkpoint() + "\"]"
                : "[airlock@32473 seq=\"" + item.seq() + "\"]";
        return "<" + (13 * 8 + severity) + ">1 " + EcsEvents.timestamp(item.at()) + " " + hostname + " airlock " + pid
                + " " + msgId(item.action()) + " " + sd + " " + item.json();
    }

    private static String msgId(String action) {
        String id = action.replaceAll("[^\\x21-\\x7e]", "_");
        return id.isEmpty() ? "-" : id.substring(0, Math.min(32, id.length()));
    }

    private static String localHostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName().replaceAll("[^\\x21-\\x7e]", "");
            return h.isEmpty() ? "-" : h.substring(0, Math.min(255, h.length()));
        } catch (IOException e) {
            return "-";
        }
    }

    @Override
    public void reset() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // the connection is dropped either way
            }
            socket = null;
            out = null;
        }
    }
}
