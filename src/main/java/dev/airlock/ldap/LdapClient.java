package dev.airlock.ldap;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import dev.airlock.platform.config.LdapConfig;
import java.io.File;
import java.security.GeneralSecurityException;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * Search-then-bind against the configured directory, with UnboundID's LDAP SDK. Every connection is encrypted
 * (LDAPS, or StartTLS before anything else is sent) with the server's certificate checked against {@code caFile} (or
 * the JDK's trust store) and its host name, unless the operator explicitly allowed plaintext. The user name is
 * escaped per RFC 4515 before it goes into the filter; an empty password never reaches the directory (it would be
 * an unauthenticated bind, which many servers accept).
 */
public final class LdapClient {
    /** The directory could not be asked (down, unreachable, TLS refused, the service account refused). */
    public static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A person the directory vouched for: their entry, its stable id, the name and e-mail it gives, their groups. */
    public record Person(String dn, String subject, String username, String email, Set<String> groups) {}

    private final LdapConfig config;
    private final String host;
    private final int port;
    private final SSLUtil ssl;

    public LdapClient(LdapConfig config) {
        this.config = config;
        try {
            LDAPURL url = new LDAPURL(config.url());
            this.host = url.getHost();
            this.port = url.getPort();
        } catch (LDAPException e) {
            throw new IllegalArgumentException("auth.ldap.url is not an LDAP URL: " + e.getMessage(), e);
        }
        TrustManager trust;
        if (config.caFile().isEmpty()) {
            trust = JVMDefaultTrustManager.getInstance();
        } else {
            File ca = new File(config.caFile());
            if (!ca.isFile()) {
                throw new IllegalArgumentException("auth.ldap.caFile " + config.caFile() + " is not a readable file");
            }
            try {
                trust = new PEMFileTrustManager(ca);
            } catch (java.security.KeyStoreException | RuntimeException e) {
                throw new IllegalArgumentException(
                        "auth.ldap.caFile " + config.caFile() + " holds no PEM certificate: " + e.getMessage(), e);
            }
        }
        this.ssl = new SSLUtil(trust);
    }

    /** The issuer the directory's identities are linked under: {@code ldap:<url>}. */
    public String issuer() {
        return "ldap:" + config.url();
    }

    /**
     * The person {@code name} is in the directory when {@code password} is theirs; null for an unknown name, a name
     * matching several entries, a wrong or empty password (alike: nobody learns which).
     */
    public Person authenticate(String name, String password) throws Unavailable {
        if (name == null || name.isEmpty() || password == null || password.isEmpty() || name.length() > 256) {
            return null;
        }
        try (LDAPConnection search = connect()) {
            if (!config.bindDn().isEmpty()) {
                try {
                    search.bind(config.bindDn(), config.bindPassword());
                } catch (LDAPException e) {
                    throw new Unavailable(
                            "the directory refused the service account " + config.bindDn() + ": " + e.getResultCode(),
                            e);
                }
            }
            String filter = config.userFilter().replace("{0}", Filter.encodeValue(name));
            SearchRequest request = new SearchRequest(
                    config.userBase(),
                    SearchScope.SUB,
                    Filter.create(filter),
                    config.usernameAttribute(),
                    config.emailAttribute().isEmpty() ? config.usernameAttribute() : config.emailAttribute(),
                    "entryUUID");
            request.setSizeLimit(2);
            request.setTimeLimitSeconds(config.timeoutSeconds());
            SearchResult found;
            try {
                found = search.search(request);
            } catch (LDAPSearchException e) {
                if (e.getResultCode().equals(ResultCode.SIZE_LIMIT_EXCEEDED)
                        || e.getResultCode().equals(ResultCode.NO_SUCH_OBJECT)) {
                    return null;
                }
                throw e;
            }
            if (found.getEntryCount() != 1) {
                return null; // nobody, or several entries: never guess which
            }
            SearchResultEntry entry = found.getSearchEntries().get(0);
            if (!bindsAs(entry.getDN(), password)) {
                return null;
            }
            String username = entry.getAttributeValue(config.usernameAttribute());
            String uuid = entry.getAttributeValue("entryUUID");
            String email = config.emailAttribute().isEmpty() ? null : entry.getAttributeValue(config.emailAttribute());
            return new Person(
                    entry.getDN(),
                    uuid == null || uuid.isEmpty() ? entry.getDN() : uuid,
                    username == null ? "" : username,
                    email == null ? "" : email,
                    groups(search, entry.getDN()));
        } catch (LDAPException e) {
            throw new Unavailable(
                    "the directory " + config.url() + " did not answer: " + e.getResultCode() + " "
                            + e.getDiagnosticMessage(),
                    e);
        }
    }

    private boolean bindsAs(String dn, String password) throws LDAPException {
        try (LDAPConnection user = connect()) {
            user.bind(dn, password);
            return true;
        } catch (LDAPException e) {
            if (!e.getResultCode().isConnectionUsable()) {
                throw e; // the directory went away: not a wrong password
            }
            return false; // invalid credentials, a locked or expired account, ...
        }
    }

    private Set<String> groups(LDAPConnection search, String dn) throws LDAPException {
        Set<String> out = new TreeSet<>();
        if (config.groupBase().isEmpty() || config.groupFilter().isEmpty()) {
            return out;
        }
        SearchRequest request = new SearchRequest(
                config.groupBase(),
                SearchScope.SUB,
                Filter.create(config.groupFilter().replace("{dn}", Filter.encodeValue(dn))),
                config.groupNameAttribute());
        request.setTimeLimitSeconds(config.timeoutSeconds());
        request.setSizeLimit(1000);
        SearchResult result;
        try {
            result = search.search(request);
        } catch (LDAPSearchException e) {
            if (!e.getResultCode().equals(ResultCode.SIZE_LIMIT_EXCEEDED)
                    && !e.getResultCode().equals(ResultCode.NO_SUCH_OBJECT)) {
                throw e;
            }
            result = e.getSearchResult();
        }
        for (SearchResultEntry g : result.getSearchEntries()) {
            String n = g.getAttributeValue(config.groupNameAttribute());
            if (n != null && !n.isEmpty()) {
                out.add(n);
            }
        }
        return out;
    }

    private LDAPConnection connect() throws LDAPException {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        int millis = config.timeoutSeconds() * 1000;
        options.setConnectTimeoutMillis(millis);
        options.setResponseTimeoutMillis(millis);
        options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        options.setFollowReferrals(false);
        SSLSocketFactory factory;
        try {
            factory = ssl.createSSLSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new LDAPException(ResultCode.LOCAL_ERROR, "no TLS: " + e.getMessage(), e);
        }
        if (config.ldaps()) {
            return new LDAPConnection(factory, options, host, port);
        }
        LDAPConnection c = new LDAPConnection(options, host, port);
        if (config.startTls()) {
            try {
                var result = c.processExtendedOperation(new StartTLSExtendedRequest(factory));
                if (!result.getResultCode().equals(ResultCode.SUCCESS)) {
                    throw new LDAPException(
                            ResultCode.CONNECT_ERROR, "StartTLS refused: " + result.getDiagnosticMessage());
                }
            } catch (LDAPException e) {
                c.close();
                throw new LDAPException(ResultCode.CONNECT_ERROR, "StartTLS failed: " + e.getMessage(), e);
            }
        }
        return c;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
