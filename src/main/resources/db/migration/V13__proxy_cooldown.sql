-- The registry's cooldown and blocks for upstream versions (docs/proxy.md, "Cooldown and blocks").
-- When this registry first saw each upstream version: a version's age counts from the later of this and the upstream's
-- `time`, so a back-dated upstream `time` cannot shorten the cooldown.
CREATE TABLE proxy_seen (
    name       VARCHAR(214) NOT NULL,
    version    VARCHAR(256) NOT NULL,
    first_seen BIGINT NOT NULL,
    PRIMARY KEY (name, version)
);

-- Operators' decisions: kind 'allow' (spec = one version, released before its cooldown ends) or 'block' (spec = a
-- semver range or one version, never served).
CREATE TABLE proxy_rules (
    name       VARCHAR(214) NOT NULL,
    kind       VARCHAR(10) NOT NULL,
    spec       VARCHAR(500) NOT NULL,
    reason     TEXT,
    actor      VARCHAR(214) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (name, kind, spec)
);

-- The served copies hide versions: `hidden` lists them ("cooldown 1.2.0" / "blocked 1.3.0", one a line) and
-- `recompute_at` is the instant the served copies must be rebuilt (the next version leaving its cooldown, or 0 after
-- an operator's decision); null = the served copies stay as they are.
ALTER TABLE proxy_packuments ADD COLUMN hidden TEXT;
ALTER TABLE proxy_packuments ADD COLUMN recompute_at BIGINT;
