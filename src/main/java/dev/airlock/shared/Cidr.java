package dev.airlock.shared;

/** IPv4 CIDR ranges (npm token create --cidr accepts IPv4 only). */
public final class Cidr {
    private Cidr() {}

    /** Whether {@code address} (dotted IPv4; IPv4-mapped IPv6 accepted) lies in {@code cidr} (a.b.c.d/n). */
    public static boolean contains(String cidr, String address) {
        int slash = cidr.indexOf('/');
        if (slash < 0 || address == null) {
            return false;
        }
        String addr = address.startsWith("::ffff:") ? address.substring(7) : address;
        long net = parse(cidr.substring(0, slash));
        long ip = parse(addr);
        int bits = Integer.parseInt(cidr.substring(slash + 1));
        if (net < 0 || ip < 0 || bits < 0 || bits > 32) {
            return false;
        }
        long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
        return (net & mask) == (ip & mask);
    }

    static long parse(String dotted) {
        String[] parts = dotted.split("\\.");
        if (parts.length != 4) {
            return -1;
        }
        long v = 0;
        for (String p : parts) {
            int n;
            try {
                n = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                return -1;
            }
            if (n < 0 || n > 255) {
                return -1;
            }
            v = v << 8 | n;
        }
        return v;
    }
}
