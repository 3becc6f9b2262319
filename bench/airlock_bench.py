#!/usr/bin/env python3
"""Helpers for bench/run.sh: load packages into Airlock or Verdaccio, compare the two, export Airlock's documents
for nginx, prepare publish bodies for wrk, and render the results table. Standard library only; talks to 127.0.0.1
only.

Subcommands (all take --port and most --token):
  login      print a bearer token for a user (npm's couch login flow)
  load       publish ~N packages x a few versions, plus one package with many versions (each publish timed)
  tree       publish the install tree (200 packages with dependencies between them) and write the app's package.json
  compare    check that two registries serve the same packages (versions, dist-tags, digests, tarballs)
  export     copy every packument (full and abbreviated) and tarball into a static directory for nginx
  urls       write URL lists for the wrk Lua scripts
  bodies     pre-generate publish bodies (unique versions) for the wrk publish script
  report     turn the collected JSON figures into a table (stdout) and results files
"""
import argparse
import base64
import concurrent.futures as cf
import gzip
import hashlib
import http.client
import io
import json
import os
import random
import sys
import tarfile
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
USER = "bench"
SCOPE = "bench"  # a user's own scope: @bench/... is publishable by user "bench" without an org
BIG = "big-history"  # the package with thousands of versions
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
         "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey",
         "xray", "yankee", "zulu"]


# ---------------------------------------------------------------------------------------------------------- HTTP

_local = threading.local()


def conn(port):
    """This thread's keep-alive connection to the server on `port` (one per port: compare talks to two servers)."""
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    c = conns.get(port)
    if c is None:
        c = conns[port] = http.client.HTTPConnection(HOST, port, timeout=120)
    return c


def request(port, method, path, body=None, headers=None):
    """One request on this thread's keep-alive connection; reconnects once if the server closed it."""
    for attempt in (0, 1):
        c = conn(port)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, data, r
        except (http.client.HTTPException, ConnectionError, OSError):
            c.close()
            _local.conns.pop(port, None)
            if attempt:
                raise
    raise AssertionError("unreachable")


def url_path(name):
    """The packument path npm uses: scoped names escape the slash."""
    return "/" + name.replace("/", "%2f")


def tarball_path(name, version):
    bare = name.split("/")[-1]
    return "/" + name + "/-/" + bare + "-" + version + ".tgz"


# --------------------------------------------------------------------------------------------------- packages

def package_json(name, version, rnd, deps=None):
    if deps is None:
        deps = {}
        for _ in range(rnd.randint(0, 4)):
            deps["dep-" + rnd.choice(WORDS)] = "^" + str(rnd.randint(0, 9)) + "." + str(rnd.randint(0, 20)) + ".0"
    pj = {
        "name": name,
        "version": version,
        "description": "Benchmark package " + name + " " + " ".join(rnd.sample(WORDS, 4)),
        "main": "index.js",
        "scripts": {"test": "node test.js"},
        "keywords": rnd.sample(WORDS, 3),
        "author": "Bench Mark <bench@example.test>",
        "license": "MIT",
        "repository": {"type": "git", "url": "git+https://example.test/" + name.replace("@", "") + ".git"},
        "engines": {"node": ">=18"},
    }
    if deps:
        pj["dependencies"] = deps
    return pj


def make_tarball(pj, rnd, extra_bytes):
    """A gzip tar with package/package.json, package/index.js, package/README.md (npm pack layout)."""
    files = {
        "package/package.json": json.dumps(pj, indent=2).encode(),
        "package/index.js": ("module.exports = " + json.dumps(pj["name"] + "@" + pj["version"]) + ";\n").encode()
        + b"// " + bytes(rnd.choice(b"abcdefghijklmnop") for _ in range(extra_bytes)) + b"\n",
        "package/README.md": ("# " + pj["name"] + "\n\n" + pj["description"] + "\n").encode(),
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 499162500  # npm's fixed mtime (1985-10-26)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=0), sum(len(d) for d in files.values()), len(files)


def publish_body(name, version, rnd, extra_bytes=600, tag="latest", registry=None, deps=None):
    """The body `npm publish` sends. With `registry` (a base URL) the manifest's dist.tarball is the URL npm would put
    there (libnpmpublish does); Airlock ignores it and builds its own, Verdaccio keeps it (rewriting the host)."""
    pj = package_json(name, version, rnd, deps)
    tgz, _, _ = make_tarball(pj, rnd, extra_bytes)
    manifest = dict(pj)
    manifest["_id"] = name + "@" + version
    manifest["readme"] = "# " + name + "\n\n" + pj["description"] + "\n"
    manifest["dist"] = {
        "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode(),
        "shasum": hashlib.sha1(tgz).hexdigest(),
    }
    if registry:
        manifest["dist"]["tarball"] = registry.rstrip("/") + tarball_path(name, version)
    body = {
        "_id": name,
        "name": name,
        "description": pj["description"],
        "dist-tags": {tag: version},
        "versions": {version: manifest},
        "access": None,
        "_attachments": {
            name + "-" + version + ".tgz": {
                "content_type": "application/octet-stream",
                "data": base64.b64encode(tgz).decode(),
                "length": len(tgz),
            }
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


def package_names(count):
    """Deterministic names: a quarter scoped under @bench/, the rest unscoped."""
    names = []
    for i in range(count):
        base = WORDS[i % len(WORDS)] + "-" + WORDS[(i * 7) % len(WORDS)] + "-" + str(i)
        names.append("@" + SCOPE + "/" + base if i % 4 == 0 else "bench-" + base)
    return names


def publish(port, token, name, body):
    status, data, _ = request(port, "PUT", url_path(name), body,
                              {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    if status != 201:
        raise RuntimeError("publish " + name + " -> " + str(status) + " " + data[:300].decode(errors="replace"))


# ---------------------------------------------------------------------------------------------------- commands

def cmd_login(a):
    body = json.dumps({"_id": "org.couchdb.user:" + a.user, "name": a.user, "password": a.password, "type": "user",
                       "roles": [], "date": "2024-01-01T00:00:00.000Z"}).encode()
    status, data, _ = request(a.port, "PUT", "/-/user/org.couchdb.user:" + a.user, body,
                              {"Content-Type": "application/json"})
    if status != 201:
        sys.exit("login failed: " + str(status) + " " + data.decode(errors="replace"))
    print(json.loads(data)["token"])


def run_parallel(jobs, workers, fn, label):
    t0 = time.perf_counter()
    done = 0
    with cf.ThreadPoolExecutor(workers) as ex:
        futures = [ex.submit(fn, *j) for j in jobs]
        for f in cf.as_completed(futures):
            f.result()
            done += 1
    dt = time.perf_counter() - t0
    print("  %s: %d publishes in %.1f s (%.0f/s)" % (label, done, dt, done / dt), file=sys.stderr)
    return dt


def cmd_load(a):
    rnd = random.Random(42)
    names = package_names(a.packages)
    # versions of one package must go in order so "latest" ends on the highest; different packages run in parallel
    plan = {n: ["1.0.%d" % v for v in range(rnd.randint(2, a.max_versions))] for n in names}

    def publish_all(name):
        r = random.Random(name)
        for v in plan[name]:
            publish(a.port, a.token, name, publish_body(name, v, r, registry=a.registry))

    t = run_parallel([(n,) for n in names], a.workers, publish_all, "%d packages" % len(names))
    total = sum(len(v) for v in plan.values())
    print("  (%d versions, %.0f versions/s)" % (total, total / t), file=sys.stderr)

    stats = {"packages": len(names), "versions": total, "seconds": round(t, 2)}
    if a.big_versions > 0:
        stats.update(load_big(a))
    json.dump({"packages": names, "big": BIG if a.big_versions > 0 else None, "stats": stats}, open(a.out, "w"))


def big_version(i):
    return "%d.%d.%d" % (i // 1000, (i // 10) % 100, i % 10)


def big_body(a, i, tag):
    return publish_body(BIG, big_version(i), random.Random(i), extra_bytes=200, tag=tag, registry=a.registry)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2.0


def load_big(a):
    """The package with a.big_versions versions, published one at a time by one client (the publish cost as history
    grows: each publish's latency is recorded). --big-mode=http publishes every version over HTTP. The default (seed)
    (Verdaccio only) publishes the first --big-http versions over HTTP, writes the middle ones straight into its
    storage (its package.json and tarball files, the entry copied from its own for 0.0.1), and publishes the last version over
    HTTP, so the server itself handles the publish that makes the 5,000-version packument."""
    big = BIG
    n = a.big_versions
    if a.big_mode != "http" and a.server != "verdaccio":
        # Airlock stores each published version's rendered packument rows with it (docs/adr/0017): rows written
        # around the server would be versions it never rendered, so its big package always goes over HTTP
        sys.exit("--big-mode=seed is for Verdaccio only: publish Airlock's big package over HTTP (BENCH_BIG_MODE=http)")
    out = {"big_name": big, "big_versions": n, "big_mode": a.big_mode}
    http_count = n - 2 if a.big_mode == "http" else max(0, min(a.big_http, n - 2))
    lat = []  # (publish number, 1-based; ms)
    rates = []
    t0 = time.perf_counter()
    chunk_t = t0
    for i in range(0, http_count + 1):
        # as `npm publish` does: each version becomes "latest" (they go in order)
        body = big_body(a, i, "latest")
        t1 = time.perf_counter()
        publish(a.port, a.token, big, body)
        lat.append((i + 1, (time.perf_counter() - t1) * 1000))
        if (i + 1) % 250 == 0 or i == http_count:
            now = time.perf_counter()
            rates.append({"upto": i + 1, "per_s": round((i % 250 + 1) / (now - chunk_t), 1)})
            print("  %s: %d versions, %.0f publishes/s over the last %d, last one %.1f ms"
                  % (big, i + 1, rates[-1]["per_s"], i % 250 + 1, lat[-1][1]), file=sys.stderr)
            chunk_t = now
    http_seconds = time.perf_counter() - t0
    seeded = 0
    if http_count < n - 2:
        seed = seed_big_verdaccio
        seeded = seed(a, big, http_count + 1, n - 1)
    # the last version over HTTP, alone, tagged latest
    t1 = time.perf_counter()
    publish(a.port, a.token, big, big_body(a, n - 1, "latest"))
    lat.append((n, (time.perf_counter() - t1) * 1000))
    out["big_last_publish_ms"] = round(lat[-1][1], 1)
    print("  %s: %d versions seeded in storage; publishing version %d took %.0f ms"
          % (big, seeded, n, out["big_last_publish_ms"]), file=sys.stderr)
    out["big_seeded"] = seeded
    out["big_seconds"] = round(time.perf_counter() - t0, 2)
    out["big_http_publishes"] = len(lat)
    out["big_http_seconds"] = round(http_seconds + lat[-1][1] / 1000, 2)  # time spent publishing over HTTP
    out["big_http_rates"] = rates

    def window(lo, hi):
        xs = [ms for k, ms in lat if lo <= k <= hi]
        return round(median(xs), 2) if xs else None

    # the publish cost as history grows: median latency around the 50th and at the end
    out["big_publish_ms_40_60"] = window(40, 60)
    out["big_publish_ms_last"] = window(n - 10, n) if a.big_mode == "http" else None
    out["big_publish_latencies_ms"] = [round(ms, 2) for _, ms in lat] if a.big_mode == "http" else None
    return out


def seeded_versions(big, base, first, end):
    """(i, manifest, tarball, integrity, shasum) for versions [first, end): the stored manifest `base` of another
    version with this version's own fields, tarball and digests."""
    for i in range(first, end):
        v = big_version(i)
        r = random.Random(i)
        pj = package_json(big, v, r)
        tgz, unpacked, count = make_tarball(pj, r, 200)
        integrity = "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode()
        shasum = hashlib.sha1(tgz).hexdigest()
        m = json.loads(json.dumps(base))
        for k in ("description", "keywords", "dependencies", "repository"):
            m.pop(k, None)
            if k in pj:
                m[k] = pj[k]
        m["version"] = v
        m["_id"] = big + "@" + v
        dist = dict(base["dist"], integrity=integrity, shasum=shasum)
        if "fileCount" in dist or "unpackedSize" in dist:
            dist.update(fileCount=count, unpackedSize=unpacked)
        if "tarball" in dist:
            dist["tarball"] = dist["tarball"].rsplit("/", 1)[0] + "/" + big + "-" + v + ".tgz"
        m["dist"] = dist
        yield i, m, tgz, integrity, shasum


def seed_big_verdaccio(a, big, first, end):
    """Adds versions [first, end) of `big` to Verdaccio's own storage (local-storage: <storage>/<name>/package.json
    and a tarball file next to it), as Verdaccio itself writes them on publish. Verdaccio reads package.json from disk
    on every request, so the running server sees them."""
    d = os.path.join(a.data_dir, big)
    doc = json.load(open(os.path.join(d, "package.json")))
    base = doc["versions"][big_version(1)]
    t = time.time() - (end - first) / 1000.0
    for i, m, tgz, integrity, shasum in seeded_versions(big, base, first, end):
        v = m["version"]
        fname = big + "-" + v + ".tgz"
        with open(os.path.join(d, fname), "wb") as f:
            f.write(tgz)
        doc["versions"][v] = m
        doc["time"][v] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t + (i - first) / 1000.0)) + ".000Z"
        doc["_attachments"][fname] = {"shasum": shasum, "version": v}
    tmp = os.path.join(d, "package.json.bench-tmp")
    with open(tmp, "w") as f:
        json.dump(doc, f, indent="\t")  # Verdaccio writes its package.json with tabs
    os.replace(tmp, os.path.join(d, "package.json"))
    return end - first


def tree_plan(count, top):
    """A deterministic dependency tree of `count` packages: the app depends on the first `top`; every other package is
    a dependency of one earlier package (so all are reachable) and some get more edges, always towards later
    packages (no cycles). Each package has 1-3 versions (1.0.0, 1.1.0, 1.2.0) and asks for its dependencies as ^1.0.0,
    so npm resolves each to its newest version; tarballs are 1-40 KiB of text before compression."""
    rnd = random.Random(7)
    names = []
    for i in range(count):
        base = "tree-" + WORDS[(i * 3) % len(WORDS)] + "-" + str(i)
        names.append("@" + SCOPE + "/" + base if i % 5 == 0 else base)
    deps = {n: set() for n in names}
    for i in range(top, count):
        # a parent among the recent ones, so the tree gets deep as well as wide
        deps[names[rnd.randint(max(0, i - 40), i - 1)]].add(names[i])
    for i in range(count):
        for _ in range(rnd.choice((0, 0, 1, 1, 2, 3))):
            if i + 1 < count:
                deps[names[i]].add(names[rnd.randint(i + 1, count - 1)])
    pkgs = []
    for i, n in enumerate(names):
        versions = ["1.%d.0" % k for k in range(rnd.randint(1, 3))]
        size = int(1024 * rnd.choice((1, 2, 3, 5, 8, 12, 20, 40)))
        pkgs.append({"name": n, "versions": versions, "deps": sorted(deps[n]), "bytes": size})
    return {"app": {n: "^1.0.0" for n in names[:top]}, "packages": pkgs}


def cmd_tree(a):
    """Publishes the install tree to a server and writes the app's package.json and the tree's names."""
    plan = tree_plan(a.count, a.top)

    def publish_all(p):
        r = random.Random(p["name"])
        for v in p["versions"]:
            body = publish_body(p["name"], v, r, extra_bytes=p["bytes"], registry=a.registry,
                                deps={d: "^1.0.0" for d in p["deps"]})
            publish(a.port, a.token, p["name"], body)

    run_parallel([(p,) for p in plan["packages"]], a.workers, publish_all, "install tree, %d packages" % a.count)
    if a.project:
        os.makedirs(a.project, exist_ok=True)
        with open(os.path.join(a.project, "package.json"), "w") as f:
            json.dump({"name": "bench-app", "version": "1.0.0", "private": True, "dependencies": plan["app"]}, f,
                      indent=2)
    if a.out:
        json.dump({"packages": [p["name"] for p in plan["packages"]], "big": None}, open(a.out, "w"))


def cmd_compare(a):
    """Checks that two registries hold the same packages: for every name in the manifest, the same versions,
    dist-tags, integrity, shasum and dependencies in the full and the abbreviated document, and (for a sample) the
    same tarball bytes at the same paths. Prints the average document sizes of each."""
    meta = json.load(open(a.manifest))
    names = list(meta["packages"]) + ([meta["big"]] if meta.get("big") else [])
    sizes = {}
    for name in names:
        for variant, accept in (("full", "application/json"), ("abbr", "application/vnd.npm.install-v1+json")):
            docs = []
            for port in (a.port, a.other):
                status, data, _ = request(port, "GET", url_path(name), headers={"Accept": accept})
                if status != 200:
                    sys.exit("compare: GET %s (%s) from port %d -> %d" % (name, variant, port, status))
                sizes.setdefault((port, variant), []).append(len(data))
                docs.append(json.loads(data))
            x, y = docs
            if x["dist-tags"] != y["dist-tags"] or set(x["versions"]) != set(y["versions"]):
                sys.exit("compare: %s (%s): dist-tags or versions differ: %s %s / %s %s"
                         % (name, variant, x["dist-tags"], sorted(x["versions"])[:5], y["dist-tags"],
                            sorted(y["versions"])[:5]))
            for v, mx in x["versions"].items():
                my = y["versions"][v]
                for k in ("integrity", "shasum"):
                    if mx["dist"].get(k) != my["dist"].get(k):
                        sys.exit("compare: %s@%s (%s): dist.%s differs" % (name, v, variant, k))
                if mx.get("dependencies") or my.get("dependencies"):
                    if mx.get("dependencies") != my.get("dependencies"):
                        sys.exit("compare: %s@%s (%s): dependencies differ" % (name, v, variant))
                for m, port in ((mx, a.port), (my, a.other)):
                    path = urllib.parse.urlparse(m["dist"]["tarball"]).path
                    if path != tarball_path(name, v):
                        sys.exit("compare: %s@%s: tarball path %s on port %d, expected %s"
                                 % (name, v, path, port, tarball_path(name, v)))
    checked = 0
    for name in names[:: max(1, len(names) // 25)]:
        if name == meta.get("big"):
            continue
        status, data, _ = request(a.port, "GET", url_path(name))
        for v in list(json.loads(data)["versions"])[:2]:
            got = [request(port, "GET", tarball_path(name, v))[:2] for port in (a.port, a.other)]
            if got[0][0] != 200 or got[0] != got[1]:
                sys.exit("compare: tarball %s@%s differs (%s / %s)" % (name, v, got[0][0], got[1][0]))
            checked += 1
    avg = {"%s-%s" % ("a" if port == a.port else "b", variant): round(sum(v) / len(v))
           for (port, variant), v in sizes.items()}
    print("  same versions, dist-tags, integrity, shasum, dependencies and tarball paths in %d packuments x2; %d tarballs"
          " byte-identical; average document bytes %s" % (len(names), checked, avg), file=sys.stderr)
    if a.out:
        json.dump(avg, open(a.out, "w"))


def cmd_export(a):
    """Writes <dir>/full/<name>/index.json, <dir>/abbr/<name>/index.json and <dir>/tarballs/<name>/-/<file>.tgz.
    With --rewrite FROM TO the packuments' tarball URLs are moved from one origin to another (the install tree served
    by nginx must send npm to nginx for the tarballs too)."""
    meta = json.load(open(a.manifest))
    names = list(meta["packages"]) + ([meta["big"]] if meta["big"] else [])
    tarballs = []
    for name in names:
        for variant, accept in (("full", "application/json"), ("abbr", "application/vnd.npm.install-v1+json")):
            status, data, _ = request(a.port, "GET", url_path(name), headers={"Accept": accept})
            if status != 200:
                sys.exit("export " + name + " " + variant + " -> " + str(status))
            if a.rewrite:
                data = data.replace(('"' + a.rewrite[0]).encode(), ('"' + a.rewrite[1]).encode())
            d = os.path.join(a.dir, variant, name)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "index.json"), "wb") as f:
                f.write(data)
            # for nginx's gzip_static: what a registry could serve to npm, which sends Accept-Encoding: gzip,deflate
            with open(os.path.join(d, "index.json.gz"), "wb") as f:
                f.write(gzip.compress(data, compresslevel=6, mtime=0))
            if variant == "full" and name != meta["big"]:
                tarballs += [(name, v) for v in json.loads(data)["versions"]]
    for name, v in tarballs:
        status, data, _ = request(a.port, "GET", tarball_path(name, v))
        if status != 200:
            sys.exit("export tarball " + name + "@" + v + " -> " + str(status))
        p = os.path.join(a.dir, "tarballs", tarball_path(name, v).lstrip("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    print("  exported %d packuments x2 and %d tarballs" % (len(names), len(tarballs)), file=sys.stderr)
    with open(a.tarball_list or os.devnull, "w") as f:
        for name, v in tarballs:
            f.write(tarball_path(name, v) + "\n")


def cmd_urls(a):
    meta = json.load(open(a.manifest))
    with open(a.out, "w") as f:
        for name in meta["packages"]:
            f.write(url_path(name) + "\n")


def cmd_bodies(a):
    """Publish bodies for wrk: one per line, 'PATH<TAB>JSON'. New versions (2.0.i) of the loaded packages, spread so
    the 8 clients publish to different packages at once, as a busy CI fleet would."""
    meta = json.load(open(a.manifest))
    names = meta["packages"]
    rnd = random.Random(99)
    with open(a.out, "w") as f:
        for i in range(a.count):
            name = names[i % len(names)]
            v = "2.0.%d" % (i // len(names))
            f.write(url_path(name) + "\t" + publish_body(name, v, rnd, registry=a.registry).decode() + "\n")


# ------------------------------------------------------------------------------------------------------ report

SERVERS = ("airlock", "verdaccio", "nginx")


def cmd_report(a):
    r = json.load(open(a.results))
    m, w = r["machine"], r["wrk"]
    out = []
    targets = []

    def ms(us):
        return "%.2f" % (us / 1000.0) if us is not None else "-"

    def bad(x):
        return x is None or x["errors"] or x["non2xx"]

    def num(x, fmt):
        return "-" if x is None else (fmt % x)

    def ratio(x, y):
        return "%.2f" % (x / y) if x is not None and y else "-"

    out.append("Airlock benchmark, %s" % r["date"])
    out.append("machine: %s, %s cores, %s MiB RAM, kernel %s, %s; data on %s" % (m["cpu"], m["nproc"], m["mem_mib"],
                                                                                  m["kernel"], m["java"], m["data_fs"]))
    out.append("load average before the run %s, after %s" % (" ".join(m.get("loadavg_at_start", [])),
                                                              " ".join(m["loadavg_at_end"])))
    out.append("Airlock: %s" % r["airlock_cmdline"])
    out.append("Verdaccio %s (node %s, its local storage, no uplinks, JWT tokens, log level warn); nginx %s"
               % (r.get("verdaccio", {}).get("version", "-"), r.get("verdaccio", {}).get("node", "-"), m["nginx"]))
    out.append("wrk -t%d -c%d, %ds per run after %ds warm-up (and %ds per workload of JIT warm-up first);"
               " the load tool shares the cores with the servers"
               % (w["threads"], w["connections"], w["duration_s"], w["warmup_s"], w.get("jit_warmup_s", 0)))
    out.append("")

    # ---- the one table: a row per workload, a column per server, Airlock's ratios
    rows = []  # (label, {server: value}, fmt)
    reads = r["reads"]
    for key, label in (("abbreviated", "abbreviated packuments, r/s"), ("full", "full packuments, r/s"),
                       ("tarball", "tarballs, r/s"), ("abbreviated-gzip", "abbreviated, gzip (npm's), r/s"),
                       ("ping", "GET /-/ping (floor), r/s")):
        if key in reads:
            rows.append((label, {s: reads[key].get(s) and reads[key][s]["rps"] for s in SERVERS}, "%.0f"))
    big = r.get("big") or {}
    nbig = r.get("load", {}).get("airlock", {}).get("big_versions")
    if nbig:
        for kind in ("full", "abbreviated", "full-gzip"):
            rows.append(("%s-version packument, %s, p50 ms" % (format(nbig, ","), kind),
                         {s: big.get(s, {}).get(kind) and big[s][kind]["p50_us"] / 1000.0 for s in SERVERS}, "%.2f"))
    pub = r.get("publish") or {}
    rows.append(("publish, %d clients, /s" % w["publish_clients"],
                 {s: pub.get(s) and pub[s]["rps"] for s in SERVERS}, "%.0f"))
    rows.append(("publish, %d clients, p99 ms" % w["publish_clients"],
                 {s: pub.get(s) and pub[s]["p99_us"] / 1000.0 for s in SERVERS}, "%.1f"))
    inst = r.get("installs") or {}
    if inst:
        rows.append(("cold npm install, %d packages, median s" % inst.get("packages", 0),
                     {s: inst.get(s) and inst[s]["median_s"] for s in SERVERS}, "%.2f"))
    loads = r.get("load") or {}
    if nbig:
        rows.append(("big package: publish #40-60, median ms",
                     {s: loads.get(s, {}).get("big_publish_ms_40_60") for s in SERVERS}, "%.1f"))
        if any(loads.get(s, {}).get("big_publish_ms_last") for s in SERVERS):
            rows.append(("big package: publish #%d-%d, median ms" % (nbig - 10, nbig),
                         {s: loads.get(s, {}).get("big_publish_ms_last") for s in SERVERS}, "%.1f"))
        rows.append(("big package: publish #%d (the last), ms" % nbig,
                     {s: loads.get(s, {}).get("big_last_publish_ms") for s in SERVERS}, "%.1f"))
        counts = [loads.get(s, {}).get("big_http_publishes") for s in ("airlock", "verdaccio")]
        rows.append(("big package: %s publishes over HTTP, s" % "/".join(dict.fromkeys(num(c, "%d") for c in counts if c)),
                     {s: loads.get(s, {}).get("big_http_seconds") for s in SERVERS}, "%.1f",
                     len(set(c for c in counts if c)) == 1))  # no ratio when the two servers got different counts
    rows.append(("load: %d packages, s" % loads.get("airlock", {}).get("packages", 0),
                 {s: loads.get(s, {}).get("seconds") for s in SERVERS}, "%.1f"))
    rss = r.get("rss") or {}
    rows.append(("RSS after the load, MiB", {s: rss.get(s) and rss[s]["rss_mib"] for s in SERVERS}, "%.0f"))
    hdr = "%-44s %10s %10s %10s %9s %9s" % ("workload", "Airlock", "Verdaccio", "nginx", "A/nginx", "A/Verd.")
    out.append(hdr)
    out.append("-" * len(hdr))
    table = []
    for row in rows:
        label, v, fmt = row[:3]
        a_, vd, ng = v.get("airlock"), v.get("verdaccio"), v.get("nginx")
        if len(row) > 3 and not row[3]:
            vd_ratio = None
        else:
            vd_ratio = vd
        out.append("%-44s %10s %10s %10s %9s %9s" % (label, num(a_, fmt), num(vd, fmt), num(ng, fmt), ratio(a_, ng),
                                                     ratio(a_, vd_ratio)))
        table.append({"workload": label, "airlock": a_, "verdaccio": vd, "nginx": ng,
                      "airlock_per_nginx": a_ / ng if a_ is not None and ng else None,
                      "airlock_per_verdaccio": a_ / vd_ratio if a_ is not None and vd_ratio else None})
    out.append("ratios are Airlock's figure over the other's: for r/s and /s higher is better for Airlock, for ms, s and"
               " MiB lower is. Reads with gzip: Airlock and Verdaccio compress (Airlock serves stored gzip copies),"
               " nginx serves pre-compressed files (gzip_static). Verdaccio writes without fsync; Airlock commits"
               " durably.")
    r["table"] = table

    # ---- latencies of the read runs
    out.append("")
    out.append("read latencies at %d connections, p50 / p99 ms" % w["connections"])
    for key in ("abbreviated", "full", "tarball", "abbreviated-gzip", "ping"):
        if key not in reads:
            continue
        cells = []
        for s in SERVERS:
            x = reads[key].get(s)
            cells.append("%-9s %6s / %-7s" % (s, ms(x["p50_us"]), ms(x["p99_us"])) if x else "%-9s %16s" % (s, "-"))
        out.append("  %-18s %s" % (key, "  ".join(cells)))

    # ---- CPU
    out.append("")
    out.append("where the 2 cores went during each run (CPU seconds per wall second; 'other' = processes not part of"
               " the benchmark)")
    hdr2 = "%-34s %8s %8s %8s %8s %8s %12s %12s" % ("run", "server", "wrk", "other", "idle", "busy%", "server us/req",
                                                    "wrk us/req")
    out.append(hdr2)
    out.append("-" * len(hdr2))
    runs = [("%s / %s" % (k, s), reads[k][s], s + "_s") for k in ("abbreviated", "full", "tarball", "abbreviated-gzip",
                                                                   "ping") if k in reads for s in SERVERS
            if reads[k].get(s)]
    runs += [("publish / %s" % s, pub[s], s + "_s") for s in ("airlock", "verdaccio") if pub.get(s)]
    for label, x, key in runs:
        c = x and x.get("cpu")
        if not c:
            continue
        wall = x["duration_us"] / 1e6
        srv = c.get(key, 0.0)
        ours = sum(c.get(s + "_s", 0.0) for s in SERVERS) + c["wrk_s"]
        other = max(0.0, c["machine_busy_s"] - ours)
        idle = c["machine_total_s"] - c["machine_busy_s"]
        out.append("%-34s %8.2f %8.2f %8.2f %8.2f %7.0f%% %12.0f %12.0f"
                   % (label, srv / wall, c["wrk_s"] / wall, other / wall, idle / wall,
                      100.0 * c["machine_busy_s"] / max(c["machine_total_s"], 1e-9), srv / max(x["requests"], 1) * 1e6,
                      c["wrk_s"] / max(x["requests"], 1) * 1e6))
    noisy = [label for label, x, key in runs if x and x.get("cpu") and
             (x["cpu"]["machine_busy_s"] - sum(x["cpu"].get(s + "_s", 0.0) for s in SERVERS) - x["cpu"]["wrk_s"])
             > 0.15 * x["duration_us"] / 1e6]
    if inst:
        for s in SERVERS:
            for rep in inst.get(s, {}).get("reps", []):
                if rep.get("other_cpu_s", 0) > 0.15 * rep["wall_s"]:
                    noisy.append("install / %s #%d" % (s, rep["rep"]))
    if noisy:
        out.append("WARNING: other processes used more than 0.15 of a core during: %s; those figures are disturbed,"
                   " run again on a quiet machine" % ", ".join(noisy))

    # ---- installs
    if inst:
        out.append("")
        out.append("cold npm install (npm %s, no lockfile, fresh cache, --prefer-online), wall s per repetition:"
                   % inst.get("npm", "?"))
        for s in SERVERS:
            x = inst.get(s)
            if x:
                out.append("  %-10s %s  median %.2f s  (server CPU %s s, npm CPU %s s per install, median)"
                           % (s, ", ".join("%.2f" % rep["wall_s"] for rep in x["reps"]), x["median_s"],
                              num(x.get("server_cpu_s"), "%.2f"), num(x.get("npm_cpu_s"), "%.2f")))
        if inst.get("nginx") and inst.get("airlock"):
            q = inst["airlock"]["median_s"] / inst["nginx"]["median_s"]
            targets.append(("cold install, Airlock / nginx", "<= 1.05x", "%.2fx" % q, q <= 1.05))

    # ---- reads and the rest against the targets
    for key, label in (("abbreviated", "abbreviated"), ("full", "full"), ("tarball", "tarball")):
        al, ng = reads.get(key, {}).get("airlock"), reads.get(key, {}).get("nginx")
        q = al["rps"] / ng["rps"] if al and ng and ng["rps"] else None
        targets.append(("%s reads, %d conn" % (label, w["connections"]), ">= 0.7x nginx", num(q, "%.2fx"),
                        q is not None and q >= 0.7 and not bad(al)))
    p = pub.get("airlock")
    if p:
        out.append("")
        for s in ("airlock", "verdaccio"):
            x = pub.get(s)
            if x:
                out.append("publish, %s, %d concurrent clients: %.0f/s, p50 %s ms, p99 %s ms, %d requests, %d errors,"
                           " %d non-2xx%s" % (s, w["publish_clients"], x["rps"], ms(x["p50_us"]), ms(x["p99_us"]),
                                              x["requests"], x["errors"], x["non2xx"],
                                              " (ran out of pre-generated bodies)" if x.get("exhausted") else ""))
        targets.append(("publish, %d clients, durable" % w["publish_clients"], ">= 800/s", "%.0f/s" % p["rps"],
                        p["rps"] >= 800 and not bad(p)))
    if nbig and big.get("airlock", {}).get("full"):
        bb = r["big_bytes"]
        out.append("")
        out.append("%s-version packument, warm, one connection, sequential (Airlock's sizes: full %.2f MiB, abbreviated"
                   " %.2f MiB, full gzip %.2f MiB):" % (format(nbig, ","), bb["full"] / 1048576.0,
                                                        bb["abbr"] / 1048576.0, (bb.get("full-gz") or 0) / 1048576.0))
        for kind in ("full", "abbreviated", "full-gzip"):
            cells = []
            for s in SERVERS:
                x = big.get(s, {}).get(kind)
                cells.append("%s p50 %6s p99 %6s ms" % (s, ms(x["p50_us"]), ms(x["p99_us"])) if x else "%s -" % s)
            out.append("  %-11s %s" % (kind, "   ".join(cells)))
        al = big["airlock"]["full"]
        targets.append(("big packument (full), warm", "< 3 ms p50", "%s ms p50" % ms(al["p50_us"]),
                        al["p50_us"] < 3000 and not bad(al)))
    out.append("")
    for s in ("airlock", "verdaccio"):
        x = rss.get(s)
        if x:
            out.append("%s RSS after the load: %.0f MiB (peak %.0f MiB)" % (s, x["rss_mib"], x["hwm_mib"]))
    if rss.get("airlock"):
        targets.append(("RSS after the load", "<= 256 MiB", "%.0f MiB" % rss["airlock"]["rss_mib"],
                        rss["airlock"]["rss_mib"] <= 256))
    for s in ("airlock", "verdaccio"):
        ld = loads.get(s)
        if not ld:
            continue
        out.append("load into %s: %d packages, %d versions in %.1f s" % (s, ld["packages"], ld["versions"],
                                                                        ld["seconds"]))
        if ld.get("big_name"):
            rates = ", ".join("%s/s to %d" % (x["per_s"], x["upto"]) for x in ld["big_http_rates"])
            out.append("  %s: %d versions in %.1f s (%s); one client, publish rate while it grew: %s"
                       % (ld["big_name"], ld["big_versions"], ld["big_seconds"],
                          "%d written into its storage" % ld["big_seeded"] if ld["big_seeded"] else "all over HTTP",
                          rates))
            out.append("  publish #40-60: median %s ms; %s"
                       % (num(ld.get("big_publish_ms_40_60"), "%.1f"),
                          "publish #%d-%d: median %s ms" % (ld["big_versions"] - 10, ld["big_versions"],
                                                            num(ld.get("big_publish_ms_last"), "%.1f"))
                          if ld.get("big_publish_ms_last") is not None else
                          "the one publish at %d versions: %s ms" % (ld["big_versions"],
                                                                     num(ld.get("big_last_publish_ms"), "%.0f"))))
    la = loads.get("airlock", {})
    if la.get("big_publish_ms_last") and la.get("big_publish_ms_40_60"):
        q = la["big_publish_ms_last"] / la["big_publish_ms_40_60"]
        targets.append(("publish #%d / publish #50" % la["big_versions"], "<= 1.2x", "%.2fx" % q, q <= 1.2))
    if la.get("big_mode") == "http" and la.get("big_http_seconds") is not None:
        targets.append(("%d versions over HTTP" % la["big_versions"], "< 60 s", "%.1f s" % la["big_http_seconds"],
                        la["big_http_seconds"] < 60))
    out.append("")
    out.append("targets (Airlock):")
    for label, target, got, ok in targets:
        out.append("  %-38s %-14s %-12s %s" % (label, target, got, "met" if ok else "MISSED"))
    errs = []
    for key in reads:
        for s in SERVERS:
            e = reads[key].get(s)
            if key == "ping" and s == "nginx":
                continue
            if bad(e):
                errs.append("%s/%s: %s socket errors, %s non-2xx" % (key, s, e and e["errors"], e and e["non2xx"]))
    for s in ("airlock", "verdaccio"):
        if s in pub and bad(pub[s]):
            errs.append("publish/%s: %s socket errors, %s non-2xx" % (s, pub[s] and pub[s]["errors"],
                                                                     pub[s] and pub[s]["non2xx"]))
    if errs:
        out.append("")
        out.append("ERRORS: " + "; ".join(errs))
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if a.text:
        with open(a.text, "w") as f:
            f.write(text)
    json.dump(r, open(a.results, "w"), indent=2)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("login")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--user", default=USER)
    s.add_argument("--password", required=True)
    s.set_defaults(fn=cmd_login)
    s = sub.add_parser("load")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--token", required=True)
    s.add_argument("--packages", type=int, default=300)
    s.add_argument("--max-versions", type=int, default=6)
    s.add_argument("--big-versions", type=int, default=5000)
    s.add_argument("--big-mode", choices=("seed", "http"), default="seed")
    s.add_argument("--big-http", type=int, default=500, help="versions of the big package published over HTTP (seed mode)")
    s.add_argument("--data-dir", help="the server's data directory (seed mode)")
    s.add_argument("--workers", type=int, default=8)
    s.add_argument("--server", choices=("airlock", "verdaccio"), default="airlock",
                   help="whose storage to seed (--data-dir: Airlock's data directory or Verdaccio's storage)")
    s.add_argument("--registry", help="the server's base URL, for dist.tarball in the publish bodies")
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_load)
    s = sub.add_parser("tree")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--token", required=True)
    s.add_argument("--registry")
    s.add_argument("--count", type=int, default=200)
    s.add_argument("--top", type=int, default=30)
    s.add_argument("--workers", type=int, default=8)
    s.add_argument("--project", help="where to write the app's package.json")
    s.add_argument("--out", help="the tree's names, as a manifest for export/compare")
    s.set_defaults(fn=cmd_tree)
    s = sub.add_parser("compare")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--other", type=int, required=True)
    s.add_argument("--manifest", required=True)
    s.add_argument("--out")
    s.set_defaults(fn=cmd_compare)
    s = sub.add_parser("export")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--manifest", required=True)
    s.add_argument("--dir", required=True)
    s.add_argument("--tarball-list")
    s.add_argument("--rewrite", nargs=2, metavar=("FROM", "TO"), help="replace this origin in the packuments")
    s.set_defaults(fn=cmd_export)
    s = sub.add_parser("urls")
    s.add_argument("--manifest", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_urls)
    s = sub.add_parser("bodies")
    s.add_argument("--manifest", required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--registry")
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_bodies)
    s = sub.add_parser("report")
    s.add_argument("--results", required=True)
    s.add_argument("--text")
    s.set_defaults(fn=cmd_report)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
