package dev.airlock.orgs;

import dev.airlock.shared.AirlockException;
import java.util.Locale;

/** npm org roles. Owners manage everything; admins manage members (not owners) and teams; developers publish. */
public enum OrgRole {
    OWNER,
    ADMIN,
    DEVELOPER;

    public static OrgRole parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw AirlockException.badRequest("Invalid role \"" + s + "\": use owner, admin or developer.");
        }
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
