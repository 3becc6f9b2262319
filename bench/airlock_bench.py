#!/usr/bin/env python3
"""Helpers for bench/run.sh: load packages into Airlock, export them for nginx, prepare publish bodies for wrk,
measure sequential latency, and render the results table. Standard library only; talks to 127.0.0.1 only.

Subcommands (all take --port and most --token):
  login      print a bearer token for a user (npm's couch login flow)
  load       publish ~N packages x a few versions, plus one package with many versions
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
    c = getattr(_local, "conn", None)
    if c is None:
        c = http.client.HTTPConnection(HOST, port, timeout=60)
        _local.conn = c
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
            _local.conn = None
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

def package_json(name, version, rnd):
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


def publish_body(name, version, rnd, extra_bytes=600, tag="latest"):
    pj = package_json(name, version, rnd)
    tgz, _, _ = make_tarball(pj, rnd, extra_bytes)
    manifest = dict(pj)
    manifest["_id"] = name + "@" + version
    manifest["readme"] = "# " + name + "\n\n" + pj["description"] + "\n"
    manifest["dist"] = {
        "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode(),
        "shasum": hashlib.sha1(tgz).hexdigest(),
    }
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
            publish(a.port, a.token, name, publish_body(name, v, r))

    t = run_parallel([(n,) for n in names], a.workers, publish_all, "%d packages" % len(names))
    total = sum(len(v) for v in plan.values())
    print("  (%d versions, %.0f versions/s)" % (total, total / t), file=sys.stderr)

    stats = {"packages": len(names), "versions": total, "seconds": round(t, 2)}
    if a.big_versions > 0:
        stats.update(load_big(a))
    json.dump({"packages": names, "big": BIG if a.big_versions > 0 else None, "stats": stats}, open(a.out, "w"))


def big_version(i):
    return "%d.%d.%d" % (i // 1000, (i // 10) % 100, i % 10)


def load_big(a):
    """The package with a.big_versions versions. Every publish rewrites the whole packument, so version N costs O(N)
    and the single SQLite writer serialises them: publishing all 5,000 over HTTP takes minutes. --big-mode=http does
    exactly that; the default (seed) publishes the first --big-http versions over HTTP (measuring the slowdown),
    inserts the middle ones straight into SQLite as copies of the server's own stored row (with real tarball blobs),
    and publishes the last version over HTTP, so the server itself builds the 5,000-version packument."""
    big = BIG
    out = {"big_name": big, "big_versions": a.big_versions, "big_mode": a.big_mode}
    t0 = time.perf_counter()
    publish(a.port, a.token, big, publish_body(big, big_version(0), random.Random(0), extra_bytes=200))
    http_count = a.big_versions - 2 if a.big_mode == "http" else min(a.big_http, a.big_versions - 2)

    def one(i):
        # side tag: concurrent publishes must not move "latest" around; the last version takes "latest"
        publish(a.port, a.token, big, publish_body(big, big_version(i), random.Random(i), extra_bytes=200, tag="history"))

    # in chunks, to report how the publish rate falls as the package grows
    rates = []
    chunk = 250
    for start in range(1, http_count + 1, chunk):
        idx = list(range(start, min(start + chunk, http_count + 1)))
        dt = run_parallel([(i,) for i in idx], a.workers, one, "%s versions %d-%d" % (big, idx[0], idx[-1]))
        rates.append({"upto": idx[-1] + 1, "per_s": round(len(idx) / dt, 1)})
    out["big_http_rates"] = rates
    seeded = 0
    if a.big_mode != "http":
        seeded = seed_big(a, big, http_count + 1, a.big_versions - 1)
    # the last version over HTTP, alone, tagged latest: the server rebuilds the packument with every version in it
    r = random.Random(a.big_versions)
    t1 = time.perf_counter()
    publish(a.port, a.token, big, publish_body(big, big_version(a.big_versions - 1), r, extra_bytes=200))
    out["big_last_publish_ms"] = round((time.perf_counter() - t1) * 1000, 1)
    print("  %s: %d versions seeded in SQLite; publishing version %d took %.0f ms"
          % (big, seeded, a.big_versions, out["big_last_publish_ms"]), file=sys.stderr)
    out["big_seeded"] = seeded
    out["big_seconds"] = round(time.perf_counter() - t0, 2)
    return out


def seed_big(a, big, first, end):
    """Inserts versions [first, end) of `big` as the server would have stored them. Returns how many."""
    import sqlite3
    db = sqlite3.connect(os.path.join(a.data_dir, "airlock.db"), timeout=60, isolation_level=None)
    db.execute("PRAGMA busy_timeout=60000")
    tmpl = db.execute("SELECT manifest_json, readme, published_by, created_at FROM versions WHERE package = ? AND"
                      " version = ?", (big, big_version(1))).fetchone()
    if tmpl is None:
        sys.exit("seed: template version " + big_version(1) + " of " + big + " not found")
    base = json.loads(tmpl[0])
    rows = []
    blob_root = os.path.join(a.data_dir, "blobs")
    start = int(time.time() * 1000) - (end - first)  # in the past, increasing, before the final publish
    for i in range(first, end):
        v = big_version(i)
        r = random.Random(i)
        pj = package_json(big, v, r)
        tgz, unpacked, count = make_tarball(pj, r, 200)
        sha512 = hashlib.sha512(tgz)
        integrity = "sha512-" + base64.b64encode(sha512.digest()).decode()
        shasum = hashlib.sha1(tgz).hexdigest()
        m = dict(base)
        for k in ("description", "keywords", "dependencies", "repository"):
            m.pop(k, None)
            if k in pj:
                m[k] = pj[k]
        m["version"] = v
        m["_id"] = big + "@" + v
        m["dist"] = dict(base["dist"], integrity=integrity, shasum=shasum, fileCount=count, unpackedSize=unpacked)
        key = sha512.hexdigest()
        d = os.path.join(blob_root, key[:2], key[2:4])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, key), "wb") as f:
            f.write(tgz)
        rows.append((big, v, "published", json.dumps(m, separators=(",", ":")), tmpl[1], integrity, shasum, key,
                     len(tgz), start + i - first, start + i - first, tmpl[2]))
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO versions (package, version, state, manifest_json, readme, integrity, shasum,"
                   " tarball_blob, tarball_size, created_at, published_at, published_by) VALUES"
                   " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("COMMIT")
    db.close()
    return len(rows)


def cmd_export(a):
    """Writes <dir>/full/<name>/index.json, <dir>/abbr/<name>/index.json and <dir>/tarballs/<name>/-/<file>.tgz."""
    meta = json.load(open(a.manifest))
    names = list(meta["packages"]) + ([meta["big"]] if meta["big"] else [])
    tarballs = []
    for name in names:
        for variant, accept in (("full", "application/json"), ("abbr", "application/vnd.npm.install-v1+json")):
            status, data, _ = request(a.port, "GET", url_path(name), headers={"Accept": accept})
            if status != 200:
                sys.exit("export " + name + " " + variant + " -> " + str(status))
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
    with open(a.tarball_list, "w") as f:
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
            f.write(url_path(name) + "\t" + publish_body(name, v, rnd).decode() + "\n")


# ------------------------------------------------------------------------------------------------------ report

def cmd_report(a):
    r = json.load(open(a.results))
    m, w = r["machine"], r["wrk"]
    out = []
    targets = []

    def ms(us):
        return "%.2f" % (us / 1000.0) if us is not None else "-"

    def bad(x):
        return x is None or x["errors"] or x["non2xx"]

    out.append("Airlock benchmark, %s" % r["date"])
    out.append("machine: %s, %s cores, %s MiB RAM, kernel %s, %s; data on %s" % (m["cpu"], m["nproc"], m["mem_mib"],
                                                                                  m["kernel"], m["java"], m["data_fs"]))
    out.append("load average before the run %s, after %s" % (" ".join(m.get("loadavg_at_start", [])),
                                                              " ".join(m["loadavg_at_end"])))
    out.append("Airlock: %s" % r["airlock_cmdline"])
    out.append("nginx %s; wrk -t%d -c%d, %ds per run after %ds warm-up (and %ds per workload of JIT warm-up first);"
               " the load tool shares the cores with the server"
               % (m["nginx"], w["threads"], w["connections"], w["duration_s"], w["warmup_s"], w.get("jit_warmup_s", 0)))
    out.append("")
    hdr = "%-24s %11s %8s %8s %11s %8s %8s %7s" % ("workload (%d conn)" % w["connections"], "airlock r/s", "p50 ms",
                                                  "p99 ms", "nginx r/s", "p50 ms", "p99 ms", "ratio")
    out.append(hdr)
    out.append("-" * len(hdr))
    for key, label in (("abbreviated", "abbreviated packument"), ("full", "full packument"), ("tarball", "tarball"),
                       ("abbreviated-gzip", "abbreviated, gzip *")):
        if key not in r["reads"] or not r["reads"][key]["airlock"]:
            continue
        al, ng = r["reads"][key]["airlock"], r["reads"][key]["nginx"]
        ratio = al["rps"] / ng["rps"] if al and ng and ng["rps"] else None
        out.append("%-24s %11.0f %8s %8s %11.0f %8s %8s %7s" % (label, al["rps"], ms(al["p50_us"]), ms(al["p99_us"]),
                                                               ng["rps"], ms(ng["p50_us"]), ms(ng["p99_us"]),
                                                               "%.2f" % ratio if ratio else "-"))
        if key.endswith("-gzip"):
            continue
        targets.append(("%s reads, %d conn" % (label, w["connections"]), ">= 0.5x nginx",
                        "%.2fx" % ratio if ratio else "-", ratio is not None and ratio >= 0.5 and not bad(al)))
    ping = r["reads"].get("ping", {}).get("airlock")
    if ping:
        out.append("%-24s %11.0f %8s %8s %11s %8s %8s %7s" % ("GET /-/ping (floor) **", ping["rps"], ms(ping["p50_us"]),
                                                             ms(ping["p99_us"]), "-", "-", "-", "-"))
    out.append("* with Accept-Encoding: gzip,deflate as the npm CLI sends it: Airlock compresses each response,"
               " nginx serves a pre-compressed file (gzip_static); not part of the targets")
    if ping:
        out.append("** Airlock's own floor: an endpoint that reads no database and no file (Jetty + Javalin + JSON only)")
    out.append("")
    out.append("where the 2 cores went during each run (CPU seconds per wall second; 'other' = processes not part of"
               " the benchmark)")
    hdr2 = "%-34s %8s %8s %8s %8s %8s %12s %12s" % ("run", "server", "wrk", "other", "idle", "busy%", "server us/req",
                                                    "wrk us/req")
    out.append(hdr2)
    out.append("-" * len(hdr2))
    runs = [("%s / %s" % (k, srv), r["reads"][k][srv], "nginx_s" if srv == "nginx" else "airlock_s")
            for k in ("abbreviated", "full", "tarball", "abbreviated-gzip", "ping") if k in r["reads"]
            for srv in ("airlock", "nginx") if r["reads"][k][srv]]
    runs.append(("publish / airlock", r["publish"], "airlock_s"))
    for label, x, key in runs:
        c = x and x.get("cpu")
        if not c:
            continue
        wall = x["duration_us"] / 1e6
        srv = c[key]
        other = max(0.0, c["machine_busy_s"] - c["airlock_s"] - c["nginx_s"] - c["wrk_s"])
        idle = c["machine_total_s"] - c["machine_busy_s"]
        out.append("%-34s %8.2f %8.2f %8.2f %8.2f %7.0f%% %12.0f %12.0f"
                   % (label, srv / wall, c["wrk_s"] / wall, other / wall, idle / wall,
                      100.0 * c["machine_busy_s"] / max(c["machine_total_s"], 1e-9), srv / x["requests"] * 1e6,
                      c["wrk_s"] / x["requests"] * 1e6))
    noisy = [label for label, x, key in runs if x and x.get("cpu") and
             (x["cpu"]["machine_busy_s"] - x["cpu"]["airlock_s"] - x["cpu"]["nginx_s"] - x["cpu"]["wrk_s"])
             > 0.15 * x["duration_us"] / 1e6]
    if noisy:
        out.append("WARNING: other processes used more than 0.15 of a core during: %s; those figures are disturbed,"
                   " run again on a quiet machine" % ", ".join(noisy))
    p = r["publish"]
    out.append("")
    out.append("publish, %d concurrent clients: %.0f/s, p50 %s ms, p99 %s ms, %d requests, %d errors, %d non-2xx%s"
               % (w["publish_clients"], p["rps"], ms(p["p50_us"]), ms(p["p99_us"]), p["requests"], p["errors"],
                  p["non2xx"], " (ran out of pre-generated bodies)" if p.get("exhausted") else ""))
    targets.append(("publish, %d clients, durable" % w["publish_clients"], ">= 500/s", "%.0f/s" % p["rps"],
                    p["rps"] >= 500 and not bad(p)))
    big = r["big"]
    if big["airlock"]["full"]:
        bb = r["big_bytes"]
        out.append("")
        out.append("%s-version packument, warm, one connection, sequential:" % format(r["load"]["big_versions"], ","))
        for kind, size in (("full", bb["full"]), ("abbreviated", bb["abbr"]), ("full-gzip", bb.get("full-gz"))):
            al, ng = big["airlock"].get(kind), big["nginx"].get(kind)
            if not al or not ng:
                continue
            out.append("  %-11s %5.2f MiB   airlock p50 %6s ms p99 %6s ms (%d req)   nginx p50 %6s ms p99 %6s ms"
                       % (kind, size / 1048576.0, ms(al["p50_us"]), ms(al["p99_us"]), al["requests"],
                          ms(ng["p50_us"]), ms(ng["p99_us"])))
        al = big["airlock"]["full"]
        targets.append(("big packument (full), warm", "< 5 ms", "%s ms p50" % ms(al["p50_us"]),
                        al["p50_us"] < 5000 and not bad(al)))
    out.append("")
    out.append("Airlock RSS after the load: %.0f MiB (peak %.0f MiB)" % (r["rss"]["rss_mib"], r["rss"]["hwm_mib"]))
    targets.append(("RSS after the load", "<= 256 MiB", "%.0f MiB" % r["rss"]["rss_mib"], r["rss"]["rss_mib"] <= 256))
    ld = r["load"]
    out.append("load: %d packages, %d versions in %.1f s" % (ld["packages"], ld["versions"], ld["seconds"]))
    if ld.get("big_name"):
        rates = ", ".join("%s/s to %d" % (x["per_s"], x["upto"]) for x in ld["big_http_rates"])
        out.append("  %s: %d versions in %.1f s (%s); publish rate while it grew: %s"
                   % (ld["big_name"], ld["big_versions"], ld["big_seconds"],
                      "%d seeded in SQLite" % ld["big_seeded"] if ld["big_seeded"] else "all over HTTP", rates))
        if ld.get("big_last_publish_ms") is not None:
            out.append("  one publish to it at %d versions: %.0f ms" % (ld["big_versions"], ld["big_last_publish_ms"]))
    out.append("")
    out.append("targets:")
    for label, target, got, ok in targets:
        out.append("  %-38s %-14s %-12s %s" % (label, target, got, "met" if ok else "MISSED"))
    errs = []
    for key in r["reads"]:
        for srv in ("airlock", "nginx"):
            e = r["reads"][key][srv]
            if key == "ping" and srv == "nginx":
                continue
            if bad(e):
                errs.append("%s/%s: %s socket errors, %s non-2xx" % (key, srv, e and e["errors"], e and e["non2xx"]))
    if bad(p):
        errs.append("publish: %d socket errors, %d non-2xx" % (p["errors"], p["non2xx"]))
    if errs:
        out.append("")
        out.append("ERRORS: " + "; ".join(errs))
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if a.text:
        with open(a.text, "w") as f:
            f.write(text)


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
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_load)
    s = sub.add_parser("export")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--manifest", required=True)
    s.add_argument("--dir", required=True)
    s.add_argument("--tarball-list", required=True)
    s.set_defaults(fn=cmd_export)
    s = sub.add_parser("urls")
    s.add_argument("--manifest", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_urls)
    s = sub.add_parser("bodies")
    s.add_argument("--manifest", required=True)
    s.add_argument("--count", type=int, required=True)
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
