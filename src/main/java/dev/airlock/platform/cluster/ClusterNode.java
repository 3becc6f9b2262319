package dev.airlock.platform.cluster;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * This process among the nodes that share one database: {@code id} is {@code cluster.nodeId} (default: host name and
 * process id), for logs, lease holders and notification claims; {@code holder} adds a random suffix per start, so two
 * processes (or two registries in one test JVM) that happen to share an id never take each other's leases.
 */
public record ClusterNode(String id, String holder) {
    public ClusterNode {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("cluster.nodeId must not be empty");
        }
    }

    /** This process, named {@code configured} (empty = host name and pid). */
    public static ClusterNode start(String configured) {
        String id = configured == null || configured.isBlank() ? hostAndPid() : configured.strip();
        byte[] suffix = new byte[3];
        new SecureRandom().nextBytes(suffix);
        String holder = id + "#" + HexFormat.of().formatHex(suffix);
        return new ClusterNode(id, holder.length() > 190 ? holder.substring(holder.length() - 190) : holder);
    }

    /** {@code host-pid}: the default node id. */
    public static String hostAndPid() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "node";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
