package dev.airlock.platform.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS client sockets that trust the CA certificates of an operator's PEM file instead of the JDK's trust store: for
 * collectors and mail servers behind a private CA (syslog over TLS, SMTP with STARTTLS). Host names are still checked
 * by the caller's protocol (the syslog sink's endpoint identification, Jakarta Mail's checkserveridentity).
 */
public final class TrustedCas {
    private TrustedCas() {}

    /** The JDK's default TLS socket factory when {@code caFile} is null; otherwise one trusting only its certificates. */
    public static SSLSocketFactory socketFactory(Path caFile) throws IOException, GeneralSecurityException {
        if (caFile == null) {
            return SSLContext.getDefault().getSocketFactory();
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int n = 0;
        try (InputStream in = Files.newInputStream(caFile)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + n++, c);
            }
        }
        if (n == 0) {
            throw new GeneralSecurityException("no certificate in it");
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx.getSocketFactory();
    }
}
