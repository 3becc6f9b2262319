package dev.airlock.ldap;

import dev.airlock.accounts.PasswordDirectory;
import dev.airlock.accounts.UserService;
import dev.airlock.audit.AuditService;
import dev.airlock.orgs.GroupSync;
import dev.airlock.platform.config.LdapConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Password sign-in against an LDAP directory (docs/sso.md, "LDAP"). {@link UserService} asks it for any name that
 * is not a local account with a password. The account is the one linked to the entry (issuer {@code ldap:<url>},
 * subject the entry's {@code entryUUID}, else its DN); on a first sign-in it is made without a local password and
 * linked, unless the name is already an account: accounts are never joined by name. At every sign-in the entry's
 * groups go to the group mapping (source {@code ldap}).
 */
public final class LdapSignIn implements PasswordDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(LdapSignIn.class);
    private final Database db;
    private final LdapClient client;
    private final JdbiLdapStore store = new JdbiLdapStore();
    private final UserService users;
    private final AuditService audit;
    private final GroupSync groups;
    private final Clock clock;

    LdapSignIn(Database db, LdapClient client, UserService users, AuditService audit, GroupSync groups, Clock clock) {
        this.db = db;
        this.client = client;
        this.users = users;
        this.audit = audit;
        this.groups = groups;
        this.clock = clock;
    }

    /** The directory of {@code config} (null: none configured, and then null is returned). */
    public static LdapSignIn create(
            Database db, UserService users, AuditService audit, GroupSync groups, Clock clock, LdapConfig config) {
        return config == null ? null : new LdapSignIn(db, new LdapClient(config), users, audit, groups, clock);
    }

    @Override
    public boolean verify(Actor attempt, String name, String password) {
        LdapClient.Person person;
        try {
            person = client.authenticate(name, password);
        } catch (LdapClient.Unavailable e) {
            LOG.warn("LDAP sign-in of {} not possible: {}", cut(name), e.getMessage());
            throw new AirlockException(
                    ErrorCode.SERVICE_UNAVAILABLE,
                    "The company directory (LDAP) cannot be reached right now, so passwords cannot be checked; try"
                            + " again in a minute or tell the registry's operator.");
        }
        if (person == null) {
            return false;
        }
        String user = person.username().trim().toLowerCase(Locale.ROOT);
        if (!name.equals(user)) {
            // the account is named by the entry's user name attribute; sign in with exactly that (lower-case) name
            LOG.warn(
                    "LDAP sign-in as {}: the entry's {} is \"{}\"; refused",
                    cut(name),
                    "usernameAttribute",
                    cut(person.username()));
            return false;
        }
        try {
            UserService.validName(user);
        } catch (AirlockException e) {
            throw new AirlockException(
                    ErrorCode.LOGIN_FAILED,
                    "Your directory user name (\"" + cut(person.username()) + "\") is not a valid npm user name, so"
                            + " no account can be made for you. Tell the registry's operator.");
        }
        String issuer = client.issuer();
        db.write(tx -> {
            long now = clock.millis();
            String linked = store.linkedUser(tx, issuer, person.subject());
            if (linked != null && !linked.equals(user)) {
                throw new AirlockException(
                        ErrorCode.LOGIN_FAILED,
                        "Your directory entry is linked to the account \"" + linked + "\" on this registry; sign in"
                                + " as " + linked + ", or ask the registry's operator.");
            }
            if (linked != null) {
                store.seen(tx, issuer, person.subject(), now);
            } else {
                if (users.exists(tx, user)) {
                    throw new AirlockException(
                            ErrorCode.LOGIN_FAILED,
                            "The account \"" + user + "\" already exists on this registry and is not linked to your"
                                    + " directory (LDAP) entry; Airlock never joins accounts by name or e-mail, so"
                                    + " nobody was signed in. The registry's operator can rename or remove that"
                                    + " account and you can then sign in again.");
                }
                users.addExternal(tx, attempt, user, person.email(), "ldap");
                store.link(tx, issuer, person.subject(), user, now);
            }
            audit.record(
                    tx, attempt.as(user, "ldap"), "ldap.sign-in", "user:" + user, Map.of("linked", linked != null));
            return null;
        });
        groups.apply(user, "ldap", person.groups());
        return true;
    }

    private static String cut(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 100 ? clean.substring(0, 100) : clean;
    }
}
