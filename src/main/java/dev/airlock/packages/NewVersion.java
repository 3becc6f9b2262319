package dev.airlock.packages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.shared.PackageName;

/**
 * A validated version ready to be committed: its manifest (with server-computed fields), its tarball already in the
 * blob store under {@code blob}, the tag to apply and the requested access (null = keep / public for new packages).
 */
public record NewVersion(
        PackageName name,
        String version,
        ObjectNode manifest,
        String readme,
        String integrity,
        String shasum,
        String blob,
        long size,
        String tag,
        String access) {}
