#!/usr/bin/env python3
"""Helpers for bench/proxy.sh (issue #12, the upstream proxy). Standard library only; talks to 127.0.0.1 only.

Subcommands:
  mirror     serve the real-world corpus cache (~/.cache/airlock-corpus/registry, filled by the corpus ITs) as a
             read-only registry, packuments and tarballs byte for byte, tarball URLs pointing at itself; the source
             the upstream Airlock imports from (like testing/RegistryMirror, without any network)
  bigtgz     write a package whose tarball is tens of MB of incompressible bytes (the streaming check)
  tree       the measured project's package names and versions, from a finished install's node_modules
  fetch      GET packuments (abbreviated, gzip, as npm asks) and tarballs of name@version lists, in parallel: the
             proxy's JIT warm-up and the warm-read cache fill
  lists      URL lists for wrk (packuments and tarballs of a set of names, as served by a registry)
  sample     sample VmRSS/VmHWM of a pid every N ms until a file appears; print max and last
  report     render the figures collected in results.json as a table
"""
import argparse
import concurrent.futures as cf
import gzip
import hashlib
import http.client
import http.server
import io
import json
import os
import socketserver
import sys
import tarfile
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
CORGI = "application/vnd.npm.install-v1+json"


def esc(name):
    return name.replace("/", "%2f")


def pkg_path(name):
    return "/" + esc(name)


# ------------------------------------------------------------------------------------------------------- mirror

def cmd_mirror(a):
    root = a.cache
    port_box = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, code, ctype, body):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = urllib.parse.unquote(urllib.parse.urlparse(self.path).path)[1:]
            dash = path.find("/-/")
            try:
                if dash > 0:
                    f = os.path.join(root, "tarballs", esc(path[:dash]), path[dash + 3:])
                    with open(f, "rb") as fh:
                        return self.send(200, "application/octet-stream", fh.read())
                with open(os.path.join(root, "packuments", esc(path) + ".json"), "rb") as fh:
                    doc = json.load(fh)
                base = "http://%s:%d/%s/-/" % (HOST, port_box["port"], path)
                for v in doc.get("versions", {}).values():
                    d = v.get("dist") or {}
                    if "tarball" in d:
                        d["tarball"] = base + d["tarball"].rsplit("/", 1)[1]
                self.send(200, "application/json", json.dumps(doc).encode())
            except FileNotFoundError:
                self.send(404, "application/json", b'{"error":"not in the corpus cache"}')

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    srv = Server((HOST, a.port), Handler)
    port_box["port"] = srv.server_address[1]
    srv.serve_forever()


# ------------------------------------------------------------------------------------------------------- bigtgz

def cmd_bigtgz(a):
    """name@1.0.0 with one file of random bytes: gzip cannot shrink it, so the tarball is about --mb MiB."""
    pj = {"name": a.name, "version": "1.0.0", "description": "a large tarball for the proxy benchmark",
          "license": "MIT", "main": "index.js"}
    files = {"package/package.json": json.dumps(pj, indent=2).encode(),
             "package/index.js": b"module.exports = 1;\n",
             "package/blob.bin": os.urandom(a.mb << 20)}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for p, data in files.items():
            info = tarfile.TarInfo(p)
            info.size, info.mode, info.mtime = len(data), 0o644, 499162500
            tar.addfile(info, io.BytesIO(data))
    os.makedirs(a.out, exist_ok=True)
    out = os.path.join(a.out, a.name + "-1.0.0.tgz")
    with open(out, "wb") as f:
        f.write(gzip.compress(raw.getvalue(), compresslevel=1, mtime=0))
    print(out)


# ------------------------------------------------------------------------------------------------------- synth

def cmd_synth(a):
    """--count small generated packages (airlock_bench.py's shape, about 1 KiB tarballs) as .tgz files in --out, and
    their name@version list in --specs: names no real tree has, so a fresh proxy can be JIT-warmed on its cold paths
    (fetch, verify, store) without caching anything the measured install asks for."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import random
    from airlock_bench import make_tarball, package_json
    os.makedirs(a.out, exist_ok=True)
    with open(a.specs, "w") as specs:
        for i in range(a.count):
            name = "airlock-warmup-%04d" % i
            rnd = random.Random(i)
            tgz, _, _ = make_tarball(package_json(name, "1.0.0", rnd), rnd, 600)
            with open(os.path.join(a.out, name + "-1.0.0.tgz"), "wb") as f:
                f.write(tgz)
            specs.write(name + "@1.0.0\n")


# -------------------------------------------------------------------------------------------------------- tree

def cmd_tree(a):
    """name@version of every package npm installed (node_modules/.package-lock.json), one per line."""
    lock = json.load(open(os.path.join(a.project, "node_modules", ".package-lock.json")))
    seen = set()
    for path, v in lock["packages"].items():
        if not path or v.get("link"):
            continue
        name = v.get("name") or path.split("node_modules/")[-1]
        seen.add((name, v["version"]))
    for name, version in sorted(seen):
        print(name + "@" + version)


# ------------------------------------------------------------------------------------------------------- fetch

_local = threading.local()


def get(port, path, headers):
    for attempt in (0, 1):
        c = getattr(_local, "c", None)
        if c is None:
            c = _local.c = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            c.request("GET", path, headers=headers)
            r = c.getresponse()
            return r.status, r.read()
        except (http.client.HTTPException, OSError):
            c.close()
            _local.c = None
            if attempt:
                raise
    raise AssertionError


def split(spec):
    at = spec.rfind("@")
    return spec[:at], spec[at + 1:]


def tarball_path(name, version):
    return "/" + name + "/-/" + name.split("/")[-1] + "-" + version + ".tgz"


def cmd_fetch(a):
    specs = [l.strip() for l in open(a.specs) if l.strip()]
    names = sorted({split(s)[0] for s in specs})
    t0 = time.time()

    def pack(n):
        out = []
        for acc in (CORGI, "application/json"):
            s, body = get(a.port, pkg_path(n), {"Accept": acc, "Accept-Encoding": "gzip"})
            out.append(s)
        return n, out

    def tar(spec):
        n, v = split(spec)
        s, body = get(a.port, tarball_path(n, v), {"Accept": "*/*"})
        return spec, [s]

    bad = []
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        for what, codes in ex.map(pack, names):
            if any(c != 200 for c in codes):
                bad.append((what, codes))
        for what, codes in ex.map(tar, specs):
            if any(c != 200 for c in codes):
                bad.append((what, codes))
    print("  fetched %d packuments x2 and %d tarballs in %.1f s, %d not 200%s" % (
        len(names), len(specs), time.time() - t0, len(bad), (": " + str(bad[:5])) if bad else ""), file=sys.stderr)


def cmd_lists(a):
    specs = [l.strip() for l in open(a.specs) if l.strip()]
    names = sorted({split(s)[0] for s in specs})
    with open(a.packuments, "w") as f:
        for n in names:
            f.write(pkg_path(n) + "\n")
    with open(a.tarballs, "w") as f:
        for s in specs:
            f.write(tarball_path(*split(s)) + "\n")


# ------------------------------------------------------------------------------------------------------ sample

def cmd_sample(a):
    """VmRSS every --ms until --until exists; writes {"max_rss_kib", "hwm_kib", "samples"} to --out."""
    def status():
        d = {}
        for line in open("/proc/%d/status" % a.pid):
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                d[k] = int(v.split()[0])
        return d
    samples = []
    while not os.path.exists(a.until):
        try:
            samples.append(status()["VmRSS"])
        except OSError:
            break
        time.sleep(a.ms / 1000.0)
    s = status()
    json.dump({"start_rss_kib": samples[0] if samples else None, "max_rss_kib": max(samples) if samples else None,
               "end_rss_kib": s["VmRSS"], "hwm_kib": s["VmHWM"], "samples": len(samples)}, open(a.out, "w"))


# ----------------------------------------------------------------------------------------------------- threads

def thread_group(comm):
    """Threads of a JVM by role: JIT compilers, GC/VM, Jetty request threads, HTTP client, other."""
    if "Compiler" in comm:
        return "jit"
    if comm.startswith(("VM Thread", "GC", "VM Periodic")) or "GC" in comm:
        return "gc+vm"
    if comm.startswith("qtp") or comm.startswith("Jetty") or comm.startswith("JettyVirtual"):
        return "jetty (requests)"
    if comm.startswith("HttpClient"):
        return "http client"
    return "other"


def cmd_threads(a):
    """CPU seconds per thread group of --pid; with --before FILE, the difference since that snapshot."""
    tck = os.sysconf("SC_CLK_TCK")
    now = {}
    for tid in os.listdir("/proc/%d/task" % a.pid):
        try:
            st = open("/proc/%d/task/%s/stat" % (a.pid, tid)).read()
        except OSError:
            continue
        comm = st[st.index("(") + 1:st.rindex(")")]
        f = st.rsplit(")", 1)[1].split()
        now[tid] = [comm, (int(f[11]) + int(f[12])) / tck]
    if not a.before:
        json.dump(now, open(a.out, "w"))
        return
    before = json.load(open(a.before))
    groups = {}
    for tid, (comm, cpu) in now.items():
        d = cpu - (before[tid][1] if tid in before else 0.0)
        g = thread_group(comm)
        groups[g] = round(groups.get(g, 0.0) + d, 2)
    json.dump(groups, open(a.out, "w"))


# ------------------------------------------------------------------------------------------------------ report

def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return None if not n else xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def cmd_report(a):
    r = json.load(open(a.results))
    out = []
    m = r["machine"]
    out.append("Airlock proxy benchmark (issue #12), %s" % r["date"])
    out.append("machine: %s, %s cores, %s MiB RAM, %s; load average at start %s, at end %s" % (
        m["cpu"], m["nproc"], m["mem_mib"], m["java"], " ".join(m["loadavg_at_start"]), " ".join(m["loadavg_at_end"])))
    out.append("proxy Airlock: %s" % r.get("proxy_cmdline", "?"))
    out.append("")
    reads = r.get("reads") or {}
    if reads:
        out.append("warm reads, wrk -t2 -c%d, %ds each; the same Airlock serves a local half and a proxied half of"
                   " the tree" % (r["wrk"]["connections"], r["wrk"]["duration_s"]))
        hdr = "%-26s %10s %7s %7s %8s %10s %7s %7s %8s %7s" % (
            "workload", "local r/s", "p50 ms", "p99 ms", "B/resp", "proxy r/s", "p50 ms", "p99 ms", "B/resp", "ratio")
        out.append(hdr)
        out.append("-" * len(hdr))
        for kind, x in reads.items():
            lo, px = x.get("local"), x.get("proxied")
            if not lo or not px:
                continue
            out.append("%-26s %10.0f %7.2f %7.2f %8.0f %10.0f %7.2f %7.2f %8.0f %7.2f%s" % (
                kind, lo["rps"], lo["p50_us"] / 1e3, lo["p99_us"] / 1e3, lo["bytes"] / max(lo["requests"], 1),
                px["rps"], px["p50_us"] / 1e3, px["p99_us"] / 1e3, px["bytes"] / max(px["requests"], 1),
                px["rps"] / lo["rps"], "  ERRORS" if lo["errors"] or lo["non2xx"] or px["errors"] or px["non2xx"]
                else ""))
        out.append("(B/resp includes headers; ratio = proxied / local, target >= 1.0 within noise)")
        out.append("")
    inst = r.get("installs") or []
    if inst:
        out.append("cold install of the tree (npm %s, fresh --cache, no lockfile, --ignore-scripts --no-audit"
                   " --no-fund), seconds:" % r.get("npm", "?"))
        out.append("proxy: " + ("one long-running Airlock, its cache purged before each install (BENCH_PROXY_LONG)"
                                if os.environ.get("BENCH_PROXY_LONG") else
                                "a new Airlock for each install, JIT warmed on names outside the tree"))
        out.append("%-4s %-8s %8s %8s %10s %10s %10s %10s %8s %s" % (
            "rep", "via", "wall s", "npm cpu", "proxy cpu", "upstr cpu", "other cpu", "idle", "added", "proxy RSS max/HWM MiB"))
        for i in inst:
            mem = i.get("mem") or {}
            out.append("%-4s %-8s %8.2f %8.2f %10s %10.2f %10.2f %10.2f %8s %s" % (
                i["rep"], i["via"], i["wall_s"], i["npm_cpu_s"],
                "%.2f" % i["proxy_cpu_s"] if i.get("proxy_cpu_s") is not None else "-", i["upstream_cpu_s"],
                i["other_cpu_s"], i["idle_s"], i.get("added", "?"),
                "%.0f / %.0f" % (mem["max_rss_kib"] / 1024, mem["hwm_kib"] / 1024) if mem.get("max_rss_kib") else ""))
        for i in inst:
            if i.get("threads"):
                out.append("  rep %s proxy CPU by thread: %s" % (i["rep"], ", ".join(
                    "%s %.2f s" % kv for kv in sorted(i["threads"].items(), key=lambda kv: -kv[1]))))
        d = [i["wall_s"] for i in inst if i["via"] == "direct"]
        p = [i["wall_s"] for i in inst if i["via"] == "proxy"]
        if d and p:
            md, mp = median(d), median(p)
            out.append("median: direct %.2f s, through the proxy %.2f s = %.2fx (target <= 1.3x): %s" % (
                md, mp, mp / md, "met" if mp / md <= 1.3 else "MISSED"))
            # each proxy install runs right after its direct one: the pair's ratio is less exposed to load drifting
            by_rep = {}
            for i in inst:
                by_rep.setdefault(i["rep"], {})[i["via"]] = i["wall_s"]
            pairs = [x["proxy"] / x["direct"] for x in by_rep.values() if "proxy" in x and "direct" in x]
            out.append("ratio of each rep's pair: %s; median %.2fx" % (
                ", ".join("%.2f" % x for x in pairs), median(pairs)))
        mem = [i["mem"] for i in inst if i.get("mem")]
        if mem:
            out.append("proxy RSS during the cold installs: max %.0f MiB (peak HWM %.0f MiB); budget 256 MiB: %s" % (
                max(x["max_rss_kib"] for x in mem) / 1024, max(x["hwm_kib"] for x in mem) / 1024,
                "met" if max(x["hwm_kib"] for x in mem) <= 256 * 1024 else "MISSED"))
    if r.get("heap"):
        out.append("")
        out.append("proxy JVM heap after the last cold install (jcmd GC.heap_info):")
        out.extend("  " + l for l in r["heap"].splitlines())
    if r.get("big"):
        out.append("")
        out.append(r["big"])
    if r.get("large_packument"):
        out.append(r["large_packument"])
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if a.text:
        open(a.text, "w").write(text)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("mirror")
    s.add_argument("--cache", required=True)
    s.add_argument("--port", type=int, required=True)
    s.set_defaults(fn=cmd_mirror)
    s = sub.add_parser("bigtgz")
    s.add_argument("--name", required=True)
    s.add_argument("--mb", type=int, default=24)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_bigtgz)
    s = sub.add_parser("synth")
    s.add_argument("--count", type=int, default=600)
    s.add_argument("--out", required=True)
    s.add_argument("--specs", required=True)
    s.set_defaults(fn=cmd_synth)
    s = sub.add_parser("tree")
    s.add_argument("--project", required=True)
    s.set_defaults(fn=cmd_tree)
    s = sub.add_parser("fetch")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--specs", required=True)
    s.add_argument("--jobs", type=int, default=8)
    s.set_defaults(fn=cmd_fetch)
    s = sub.add_parser("lists")
    s.add_argument("--specs", required=True)
    s.add_argument("--packuments", required=True)
    s.add_argument("--tarballs", required=True)
    s.set_defaults(fn=cmd_lists)
    s = sub.add_parser("sample")
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--until", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--ms", type=int, default=200)
    s.set_defaults(fn=cmd_sample)
    s = sub.add_parser("threads")
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--before")
    s.set_defaults(fn=cmd_threads)
    s = sub.add_parser("report")
    s.add_argument("--results", required=True)
    s.add_argument("--text")
    s.set_defaults(fn=cmd_report)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
