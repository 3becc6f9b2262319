package dev.airlock.advisories;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * One security advisory as npm's bulk endpoint describes it, with the vulnerable versions of each npm package it
 * affects ({@code ranges}: package name → a node-semver range such as {@code ">=1.0.0 <1.2.6 || <0.2.4"}).
 *
 * @param id the advisory's own id ({@code GHSA-xvch-5gv4-984h})
 * @param number the numeric id npm's answers carry (derived from {@code id}, stable across imports)
 * @param severity npm's word: {@code low}, {@code moderate}, {@code high} or {@code critical}
 * @param cvssScore the CVSS v3 base score, 0 when the advisory has none
 * @param cvssVector the CVSS vector, null when none
 */
public record Advisory(
        String id,
        long number,
        String title,
        String url,
        String severity,
        List<String> cwe,
        double cvssScore,
        String cvssVector,
        List<String> aliases,
        String published,
        String modified,
        Map<String, String> ranges) {

    /** The entry npm 11 reads from {@code POST /-/npm/v1/security/advisories/bulk} for one package. */
    public ObjectNode bulkEntry(String name) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", number);
        o.put("url", url);
        o.put("title", title);
        o.put("severity", severity);
        o.put("vulnerable_versions", ranges.get(name));
        ArrayNode cwes = o.putArray("cwe");
        cwe.forEach(cwes::add);
        ObjectNode cvss = o.putObject("cvss");
        cvss.put("score", cvssScore);
        cvss.put("vectorString", cvssVector);
        return o;
    }
}
