package dev.airlock.console.http;

/** HTML building with everything package-supplied escaped: no markup from a package ever reaches the page. */
final class Html {
    private Html() {
    }

    static String esc(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String page(String title, String user, String csrf, String body) {
        String nav = user == null ? "" : "<nav><a href=\"/-/console/\">Staged releases</a> <a href=\"/-/console/tokens\">Tokens</a> <a href=\"/-/console/account\">Account</a> <span class=\"who\">" + esc(user)
                + "</span><form method=\"post\" action=\"/-/console/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\""
                + esc(csrf) + "\"><button type=\"submit\">Sign out</button></form></nav>";
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title)
                + " · Airlock</title><link rel=\"stylesheet\" href=\"/-/console/app.css\"><script src=\"/-/console/webauthn.js\" defer></script></head><body><header><strong>Airlock</strong>"
                + nav + "</header><main>" + body + "</main></body></html>";
    }
}
