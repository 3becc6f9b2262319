package dev.airlock.advisories;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/** The CVSS of an OSV advisory's {@code severity[]}: the v3 vector and its base score (FIRST's CVSS v3.1 formula). */
final class Cvss {
    /** The base score (0 when unknown) and the vector (null when none). */
    record Score(double score, String vector) {}

    private Cvss() {}

    static Score of(JsonNode severities) {
        String v4 = null;
        for (JsonNode s : severities) {
            String type = s.path("type").asText();
            String vector = s.path("score").asText(null);
            if (type.equals("CVSS_V3") && vector != null) {
                return new Score(base(vector), vector);
            }
            if (type.equals("CVSS_V4") && vector != null) {
                v4 = vector;
            }
        }
        return new Score(0, v4); // a v4 score needs FIRST's lookup tables; npm shows the vector
    }

    /** The CVSS v3.x base score of a vector such as {@code CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H}; 0 if unreadable. */
    static double base(String vector) {
        Map<String, String> m = new HashMap<>();
        for (String part : vector.split("/")) {
            int colon = part.indexOf(':');
            if (colon > 0) {
                m.put(part.substring(0, colon), part.substring(colon + 1));
            }
        }
        boolean changed = "C".equals(m.get("S"));
        double av = weight(m.get("AV"), "N", 0.85, "A", 0.62, "L", 0.55, "P", 0.2);
        double ac = weight(m.get("AC"), "L", 0.77, "H", 0.44);
        double pr = weight(m.get("PR"), "N", 0.85, "L", changed ? 0.68 : 0.62, "H", changed ? 0.5 : 0.27);
        double ui = weight(m.get("UI"), "N", 0.85, "R", 0.62);
        double c = weight(m.get("C"), "H", 0.56, "L", 0.22, "N", 0);
        double i = weight(m.get("I"), "H", 0.56, "L", 0.22, "N", 0);
        double a = weight(m.get("A"), "H", 0.56, "L", 0.22, "N", 0);
        if (Double.isNaN(av + ac + pr + ui + c + i + a) || m.get("S") == null) {
            return 0;
        }
        double iss = 1 - (1 - c) * (1 - i) * (1 - a);
        double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
        double exploitability = 8.22 * av * ac * pr * ui;
        if (impact <= 0) {
            return 0;
        }
        return roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
    }

    private static double weight(String value, Object... pairs) {
        for (int k = 0; k < pairs.length; k += 2) {
            if (pairs[k].equals(value)) {
                return ((Number) pairs[k + 1]).doubleValue();
            }
        }
        return Double.NaN;
    }

    /** CVSS v3.1's Roundup: the smallest number with one decimal that is at least the input. */
    private static double roundUp(double x) {
        long n = Math.round(x * 100_000);
        return n % 10_000 == 0 ? n / 100_000.0 : (Math.floor(n / 10_000.0) + 1) / 10.0;
    }
}
