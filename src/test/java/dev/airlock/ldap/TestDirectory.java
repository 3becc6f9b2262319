package dev.airlock.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;
import dev.airlock.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real LDAP directory for the tests: UnboundID's in-memory directory server loaded with
 * {@code src/test/resources/ldap/directory.ldif}, listening on 127.0.0.1 with LDAPS ({@link #ldapsUrl()}) and with
 * plain LDAP that offers StartTLS ({@link #ldapUrl()}), its certificate signed by a test CA ({@link #caFile()}).
 */
final class TestDirectory implements AutoCloseable {
    static final String SERVICE_DN = "cn=airlock,ou=services,dc=corp,dc=example";
    static final String SERVICE_PASSWORD = "service-secret";
    final InMemoryDirectoryServer server;
    private final Path ca;

    TestDirectory(Path dir) throws IOException, LDAPException, GeneralSecurityException {
        TestCertificates.make(dir);
        this.ca = dir.resolve("ca.pem");
        SSLUtil serverSsl = new SSLUtil(
                new KeyStoreKeyManager(dir.resolve("server.p12").toFile(), "changeit".toCharArray(), "PKCS12", null),
                null);
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=corp,dc=example");
        InetAddress local = InetAddress.getLoopbackAddress();
        config.setListenerConfigs(
                InMemoryListenerConfig.createLDAPSConfig(
                        "ldaps", local, 0, serverSsl.createSSLServerSocketFactory(), null),
                InMemoryListenerConfig.createLDAPConfig("ldap", local, 0, serverSsl.createSSLSocketFactory()));
        this.server = new InMemoryDirectoryServer(config);
        try (InputStream ldif = TestDirectory.class.getResourceAsStream("/ldap/directory.ldif")) {
            server.importFromLDIF(true, new com.unboundid.ldif.LDIFReader(ldif));
        }
        server.startListening();
    }

    String ldapsUrl() {
        return "ldaps://127.0.0.1:" + server.getListenPort("ldaps");
    }

    String ldapUrl() {
        return "ldap://127.0.0.1:" + server.getListenPort("ldap");
    }

    String caFile() {
        return ca.toString();
    }

    /** The {@code auth.ldap.*} settings for this directory over LDAPS, with the service account. */
    Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("auth.ldap.url", ldapsUrl());
        s.put("auth.ldap.caFile", caFile());
        s.put("auth.ldap.bindDn", SERVICE_DN);
        s.put("auth.ldap.bindPassword", SERVICE_PASSWORD);
        s.put("auth.ldap.userBase", "dc=corp,dc=example");
        s.put("auth.ldap.groupBase", "ou=groups,dc=corp,dc=example");
        return s;
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
