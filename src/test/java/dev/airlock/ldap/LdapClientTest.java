package dev.airlock.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.platform.config.LdapConfig;
import dev.airlock.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search-then-bind against a real directory server (UnboundID's in-memory server, LDIF in src/test/resources/ldap):
 * LDAPS and StartTLS with a test CA, the group lookup (member and uniqueMember), wrong, empty and unknown passwords
 * alike, filter injection, ambiguous names, a certificate from another CA, a server that is down, and plaintext
 * refused at start-up.
 */
class LdapClientTest {
    @TempDir
    static Path tmp;

    static TestDirectory directory;

    @BeforeAll
    static void start() throws Exception {
        directory = new TestDirectory(Files.createDirectories(tmp.resolve("pki")));
    }

    @AfterAll
    static void stop() {
        if (directory != null) {
            directory.close();
        }
    }

    static LdapConfig config(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        Map<String, String> settings = new HashMap<>(directory.settings());
        settings.putAll(overrides);
        settings.forEach((k, v) -> env.put(ConfigLoader.envName(k), v));
        AirlockConfig c = ConfigLoader.load(null, env, Map.of());
        return c.auth().ldap();
    }

    static LdapClient client(Map<String, String> overrides) {
        return new LdapClient(config(overrides));
    }

    @Test
    void overLdapsTheRightPasswordGivesThePersonWithTheirGroups() throws Exception {
        LdapClient.Person alice = client(Map.of()).authenticate("alice", "alice-ldap-pass");
        assertThat(alice).isNotNull();
        assertThat(alice.dn()).isEqualTo("uid=alice,ou=people,dc=corp,dc=example");
        assertThat(alice.username()).isEqualTo("alice");
        assertThat(alice.email()).isEqualTo("alice@corp.example");
        // member (groupOfNames) and uniqueMember (groupOfUniqueNames), not the groups of others
        assertThat(alice.groups()).isEqualTo(Set.of("eng", "release"));
        // the entry's entryUUID, stable across renames, is the subject
        assertThat(alice.subject()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    @Test
    void startTlsOnPlainLdapWorksAndAnonymousSearchToo() throws Exception {
        LdapClient.Person carol = client(Map.of(
                        "auth.ldap.url", directory.ldapUrl(),
                        "auth.ldap.startTls", "true",
                        "auth.ldap.bindDn", "",
                        "auth.ldap.bindPassword", ""))
                .authenticate("carol", "carol-ldap-pass");
        assertThat(carol).isNotNull();
        assertThat(carol.groups()).isEqualTo(Set.of("eng", "ops"));
    }

    @Test
    void wrongEmptyAndUnknownAreAllJustNo() throws Exception {
        LdapClient c = client(Map.of());
        assertThat(c.authenticate("alice", "wrong-password")).isNull();
        assertThat(c.authenticate("alice", "")).isNull();
        assertThat(c.authenticate("nobody", "alice-ldap-pass")).isNull();
        assertThat(c.authenticate("", "x")).isNull();
        assertThat(c.authenticate("alice", "alice-ldap-pass")).isNotNull();
    }

    @Test
    void theUserNameCannotChangeTheFilter() throws Exception {
        LdapClient c = client(Map.of());
        // unescaped, (uid=ali*) would find alice and her password would bind
        assertThat(c.authenticate("ali*", "alice-ldap-pass")).isNull();
        assertThat(c.authenticate("*", "alice-ldap-pass")).isNull();
        assertThat(c.authenticate("*)(uid=*", "alice-ldap-pass")).isNull();
        assertThat(c.authenticate("alice)(|(uid=*", "alice-ldap-pass")).isNull();
        assertThat(c.authenticate("alice\u0000", "alice-ldap-pass")).isNull();
    }

    @Test
    void aNameMatchingSeveralEntriesIsRefusedEvenWithTheRightPassword() throws Exception {
        assertThat(client(Map.of()).authenticate("twin", "twin-ldap-pass")).isNull();
        // one of them alone (a narrower base) is fine: the refusal is about the ambiguity
        assertThat(client(Map.of("auth.ldap.userBase", "ou=contractors,dc=corp,dc=example"))
                        .authenticate("twin", "twin-ldap-pass"))
                .isNotNull();
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefused() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other-ca"));
        TestCertificates.make(other);
        LdapClient c = client(Map.of("auth.ldap.caFile", other.resolve("ca.pem").toString()));
        assertThatThrownBy(() -> c.authenticate("alice", "alice-ldap-pass")).isInstanceOf(LdapClient.Unavailable.class);
        LdapClient tls = client(Map.of(
                "auth.ldap.url", directory.ldapUrl(),
                "auth.ldap.startTls", "true",
                "auth.ldap.caFile", other.resolve("ca.pem").toString()));
        assertThatThrownBy(() -> tls.authenticate("alice", "alice-ldap-pass"))
                .isInstanceOf(LdapClient.Unavailable.class);
    }

    @Test
    void aDirectoryThatIsDownOrRefusesTheServiceAccountIsUnavailable() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        LdapClient down = client(Map.of("auth.ldap.url", "ldaps://127.0.0.1:" + dead, "auth.ldap.timeoutSeconds", "2"));
        assertThatThrownBy(() -> down.authenticate("alice", "alice-ldap-pass"))
                .isInstanceOf(LdapClient.Unavailable.class)
                .hasMessageContaining("did not answer");
        LdapClient badService = client(Map.of("auth.ldap.bindPassword", "not-the-secret"));
        assertThatThrownBy(() -> badService.authenticate("alice", "alice-ldap-pass"))
                .isInstanceOf(LdapClient.Unavailable.class)
                .hasMessageContaining("service account");
    }

    @Test
    void plaintextLdapWithoutStartTlsIsRefusedAtStartUp() throws Exception {
        assertThatThrownBy(() -> config(Map.of("auth.ldap.url", directory.ldapUrl())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("passwords would cross the network in clear")
                .hasMessageContaining("auth.ldap.startTls");
        assertThatThrownBy(() -> config(Map.of("auth.ldap.url", "http://127.0.0.1:1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auth.ldap.url must be");
        assertThatThrownBy(() -> config(Map.of("auth.ldap.userFilter", "(uid=alice)")))
                .hasMessageContaining("{0}");
        // only when the operator says so explicitly
        LdapClient plain = client(Map.of("auth.ldap.url", directory.ldapUrl(), "auth.ldap.allowPlaintext", "true"));
        assertThat(plain.authenticate("alice", "alice-ldap-pass")).isNotNull();
        assertThat(config(Map.of("auth.ldap.url", "")))
                .as("no directory configured")
                .isNull();
    }
}
