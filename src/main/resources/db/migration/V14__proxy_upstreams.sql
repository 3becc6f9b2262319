-- Several upstreams (docs/proxy.md): a cached packument and a cached tarball remember the upstream registry they came
-- from (its URL with a trailing slash). When the routing of a name changes, copies from the previous upstream are not
-- served. Null = cached before this column existed; adopted by the upstream when `proxy.upstream` is the only one.
ALTER TABLE proxy_packuments ADD COLUMN upstream VARCHAR(2000);
ALTER TABLE proxy_tarballs ADD COLUMN upstream VARCHAR(2000);
