package dev.airlock.mailcheck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Fetches an MTA-STS policy ({@code https://mta-sts.<domain>/.well-known/mta-sts.txt}, RFC 8461 §3.3) over HTTPS with
 * the certificate checked against the host name, no redirects followed, and at most 64 KiB read. The host is
 * resolved through the check's own DNS server (so a test zone or an internal resolver answers), which is why this
 * speaks HTTP/1.1 over a JSSE socket rather than through java.net.http: Java 17's HTTP client always resolves through
 * the system.
 */
final class PolicyFetch {
    static final int MAX_BYTES = 64 * 1024;
    private final SSLContext tls;
    private final int port;
    private final int timeoutMillis;

    PolicyFetch(int port, int timeoutSeconds, String trustedCaFile) {
        this.port = port;
        this.timeoutMillis = timeoutSeconds * 1000;
        try {
            this.tls = SSLContext.getInstance("TLS");
            tls.init(null, new javax.net.ssl.TrustManager[] {trust(trustedCaFile)}, null);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("mail.check.trustedCaFile " + trustedCaFile + " is not usable: " + e);
        }
    }

    /** The JDK's trusted CAs, plus the one in {@code caFile} when set. */
    private static X509TrustManager trust(String caFile) throws GeneralSecurityException, IOException {
        TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        X509TrustManager base = (X509TrustManager) jdk.getTrustManagers()[0];
        if (caFile.isEmpty()) {
            return base;
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (X509Certificate c : base.getAcceptedIssuers()) {
            ks.setCertificateEntry("jdk-" + i++, c);
        }
        try (InputStream in = Files.newInputStream(Path.of(caFile))) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("extra-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    /** The policy text, or an IOException whose message says what went wrong (shown to the operator as found). */
    String fetch(String host, List<InetAddress> addresses) throws IOException {
        if (addresses.isEmpty()) {
            throw new IOException(host + " has no address");
        }
        IOException last = null;
        for (InetAddress a : addresses) {
            try {
                return fetchFrom(host, a);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private String fetchFrom(String host, InetAddress address) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(address, port), timeoutMillis);
            plain.setSoTimeout(timeoutMillis);
        } catch (IOException e) {
            plain.close();
            throw new IOException(
                    "could not connect to " + host + " (" + address.getHostAddress() + ") port " + port + ": "
                            + e.getMessage(),
                    e);
        }
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true)) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(host)));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + host
                            + "\r\nUser-Agent: airlock-mail-check\r\nAccept: text/plain\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return response(s.getInputStream());
        } catch (javax.net.ssl.SSLException e) {
            throw new IOException("TLS with " + host + " failed: " + e.getMessage(), e);
        }
    }

    /** Reads a whole HTTP/1.1 response (Content-Length, chunked, or until close) and returns its body if 200. */
    static String response(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        int n;
        while ((n = in.read(b)) > 0) {
            buf.write(b, 0, n);
            if (buf.size() > MAX_BYTES + 16 * 1024) {
                throw new IOException("the policy is larger than 64 KiB");
            }
        }
        String all = buf.toString(StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n");
        if (end < 0 || !all.startsWith("HTTP/1.")) {
            throw new IOException("the server did not answer HTTP");
        }
        String[] head = all.substring(0, end).split("\r\n");
        String status = head[0].length() >= 12 ? head[0].substring(9, 12) : "";
        if (!status.equals("200")) {
            throw new IOException("the policy URL answered HTTP " + head[0].substring(Math.min(9, head[0].length()))
                    + " (redirects are not followed)");
        }
        boolean chunked = false;
        for (String h : head) {
            String l = h.toLowerCase(Locale.ROOT);
            chunked |= l.startsWith("transfer-encoding:") && l.contains("chunked");
        }
        String body = all.substring(end + 4);
        if (chunked) {
            StringBuilder sb = new StringBuilder();
            int i = 0;
            while (true) {
                int eol = body.indexOf("\r\n", i);
                if (eol < 0) {
                    throw new IOException("a chunked policy response was cut short");
                }
                int size = Integer.parseInt(
                        body.substring(i, eol).replaceAll(";.*", "").trim(), 16);
                if (size == 0) {
                    break;
                }
                sb.append(body, eol + 2, Math.min(body.length(), eol + 2 + size));
                i = eol + 2 + size + 2;
            }
            body = sb.toString();
        }
        return new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
