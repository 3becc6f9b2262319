package dev.airlock.mailcheck;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * DNS queries through dnsjava, to the configured server or the system's resolvers, each bounded by a timeout. A name
 * that does not exist or has no record of the type answers an empty list; a query that fails (timeout, SERVFAIL,
 * refused) throws {@link Unresolved}, which the checks turn into a "could not resolve" verdict.
 */
final class Dns {
    private final Resolver resolver;
    private final String server;

    /** A query that got no usable answer. */
    static final class Unresolved extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unresolved(String message) {
            super(message);
        }
    }

    Dns(String server, Duration timeout) {
        this.server = server.isEmpty() ? "the system resolver" : server;
        try {
            Resolver r;
            if (server.isEmpty()) {
                r = new ExtendedResolver();
            } else {
                int colon = server.lastIndexOf(':');
                boolean hasPort = colon > 0 && (!server.startsWith("[") || server.charAt(colon - 1) == ']');
                String host = hasPort ? server.substring(0, colon) : server;
                SimpleResolver s = new SimpleResolver(host.replaceAll("^\\[|]$", ""));
                if (hasPort) {
                    s.setPort(Integer.parseInt(server.substring(colon + 1)));
                }
                r = s;
            }
            r.setTimeout(timeout);
            this.resolver = r;
        } catch (IOException e) {
            throw new IllegalArgumentException("mail.check.dnsServer " + server + " is not usable: " + e.getMessage());
        }
    }

    String server() {
        return server;
    }

    /** TXT records at {@code name}, each one string (its character-strings joined, as SPF and DMARC read them). */
    List<String> txt(String name) {
        List<String> out = new ArrayList<>();
        for (Record r : query(name, Type.TXT)) {
            out.add(String.join("", ((TXTRecord) r).getStrings()));
        }
        return out;
    }

    /** The mail exchangers of {@code name}, lower case, without the trailing dot. */
    List<String> mx(String name) {
        List<String> out = new ArrayList<>();
        for (Record r : query(name, Type.MX)) {
            out.add(plain(((MXRecord) r).getTarget()));
        }
        return out;
    }

    /** The IPv4 and IPv6 addresses of {@code host}. */
    List<InetAddress> addresses(String host) {
        List<InetAddress> out = new ArrayList<>();
        for (Record r : query(host, Type.A)) {
            out.add(((ARecord) r).getAddress());
        }
        for (Record r : query(host, Type.AAAA)) {
            out.add(((AAAARecord) r).getAddress());
        }
        return out;
    }

    private List<Record> query(String name, int type) {
        Name n;
        try {
            n = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new Unresolved(name + " is not a valid DNS name");
        }
        Message response;
        try {
            response = resolver.send(Message.newQuery(Record.newRecord(n, type, DClass.IN)));
        } catch (IOException e) {
            throw new Unresolved("could not resolve " + name + " " + Type.string(type) + " through " + server + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return List.of();
        }
        if (rcode != Rcode.NOERROR) {
            throw new Unresolved("could not resolve " + name + " " + Type.string(type) + " through " + server
                    + ": the server answered " + Rcode.string(rcode));
        }
        List<Record> out = new ArrayList<>();
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r.getType() == type) {
                out.add(r);
            }
        }
        return out;
    }

    static String plain(Name name) {
        String s = name.toString().toLowerCase(Locale.ROOT);
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
