package dev.airlock.platform.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code auth.ldap.*} (docs/sso.md, "LDAP"): password sign-in against an LDAP directory, search-then-bind. Parsed here
 * so {@link ConfigLoader} only delegates; {@link #from} answers null when {@code auth.ldap.url} is empty (no
 * directory).
 *
 * @param url {@code ldaps://host[:636]} or {@code ldap://host[:389]}
 * @param startTls upgrade an {@code ldap://} connection with StartTLS before anything is sent
 * @param allowPlaintext explicitly allow {@code ldap://} without StartTLS (passwords in clear: test directories only)
 * @param caFile PEM CA certificate(s) to trust for the directory (empty: the JDK's trust store)
 * @param bindDn the service account that searches (empty: anonymous search)
 * @param userFilter {@code {0}} is the typed user name, escaped per RFC 4515
 * @param groupFilter {@code {dn}} is the user's entry DN, escaped per RFC 4515
 */
public record LdapConfig(
        String url,
        boolean startTls,
        boolean allowPlaintext,
        String caFile,
        String bindDn,
        String bindPassword,
        String userBase,
        String userFilter,
        String usernameAttribute,
        String emailAttribute,
        String groupBase,
        String groupFilter,
        String groupNameAttribute,
        int timeoutSeconds) {

    public LdapConfig {
        String u = url.trim().toLowerCase(Locale.ROOT);
        url = url.trim();
        if (!u.matches("ldaps?://[^/\\s?#]+/?")) {
            throw new IllegalArgumentException(
                    "auth.ldap.url must be ldaps://host:636 or ldap://host:389 (no path), got \"" + url + "\"");
        }
        if (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        boolean ldaps = u.startsWith("ldaps://");
        if (ldaps && startTls) {
            throw new IllegalArgumentException(
                    "auth.ldap.startTls is for ldap:// URLs; an ldaps:// connection is already encrypted");
        }
        if (!ldaps && !startTls && !allowPlaintext) {
            throw new IllegalArgumentException("auth.ldap.url is " + url + " without auth.ldap.startTls: passwords"
                    + " would cross the network in clear. Use ldaps://, or set auth.ldap.startTls: true (or, for a"
                    + " test directory only, auth.ldap.allowPlaintext: true)");
        }
        if (userBase.isBlank()) {
            throw new IllegalArgumentException(
                    "auth.ldap.userBase is required (the DN under which users are searched)");
        }
        if (!userFilter.contains("{0}")) {
            throw new IllegalArgumentException("auth.ldap.userFilter must contain {0} (the user name), e.g. (uid={0})");
        }
        if (!groupFilter.isBlank() && !groupFilter.contains("{dn}")) {
            throw new IllegalArgumentException(
                    "auth.ldap.groupFilter must contain {dn} (the user's DN), e.g. (member={dn})");
        }
        if (usernameAttribute.isBlank() || groupNameAttribute.isBlank()) {
            throw new IllegalArgumentException(
                    "auth.ldap.usernameAttribute and auth.ldap.groupNameAttribute must not be empty");
        }
        if (!bindDn.isBlank() && bindPassword.isEmpty()) {
            throw new IllegalArgumentException("auth.ldap.bindPassword is required with auth.ldap.bindDn");
        }
        if (timeoutSeconds < 1 || timeoutSeconds > 120) {
            throw new IllegalArgumentException("auth.ldap.timeoutSeconds must be 1..120");
        }
        caFile = caFile.trim();
        bindDn = bindDn.trim();
        userBase = userBase.trim();
        groupBase = groupBase.trim();
    }

    /** Whether the URL is {@code ldaps://}. */
    public boolean ldaps() {
        return url.toLowerCase(Locale.ROOT).startsWith("ldaps://");
    }

    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("auth.ldap.url", "");
        d.put("auth.ldap.startTls", "false");
        d.put("auth.ldap.allowPlaintext", "false");
        d.put("auth.ldap.caFile", "");
        d.put("auth.ldap.bindDn", "");
        d.put("auth.ldap.bindPassword", "");
        d.put("auth.ldap.userBase", "");
        d.put("auth.ldap.userFilter", "(uid={0})");
        d.put("auth.ldap.usernameAttribute", "uid");
        d.put("auth.ldap.emailAttribute", "mail");
        d.put("auth.ldap.groupBase", "");
        d.put("auth.ldap.groupFilter", "(|(member={dn})(uniqueMember={dn}))");
        d.put("auth.ldap.groupNameAttribute", "cn");
        d.put("auth.ldap.timeoutSeconds", "10");
        return d;
    }

    /** The directory configured in {@code v}, or null when {@code auth.ldap.url} is empty. */
    static LdapConfig from(Map<String, String> v) {
        if (v.getOrDefault("auth.ldap.url", "").isBlank()) {
            return null;
        }
        int timeout;
        try {
            timeout = Integer.parseInt(v.get("auth.ldap.timeoutSeconds").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("auth.ldap.timeoutSeconds must be a number of seconds", e);
        }
        return new LdapConfig(
                v.get("auth.ldap.url"),
                bool(v, "auth.ldap.startTls"),
                bool(v, "auth.ldap.allowPlaintext"),
                v.get("auth.ldap.caFile"),
                v.get("auth.ldap.bindDn"),
                v.get("auth.ldap.bindPassword"),
                v.get("auth.ldap.userBase"),
                v.get("auth.ldap.userFilter"),
                v.get("auth.ldap.usernameAttribute").trim(),
                v.get("auth.ldap.emailAttribute").trim(),
                v.get("auth.ldap.groupBase"),
                v.get("auth.ldap.groupFilter").trim(),
                v.get("auth.ldap.groupNameAttribute").trim(),
                timeout);
    }

    private static boolean bool(Map<String, String> v, String key) {
        String s = v.get(key).trim().toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false");
        }
        return s.equals("true");
    }

    @Override
    public String toString() {
        return "LdapConfig[url=" + url + ", bindDn=" + bindDn + ", userBase=" + userBase + "]";
    }
}
