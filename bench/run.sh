#!/usr/bin/env bash
# Airlock benchmark: packument and tarball reads, concurrent publish, the 5,000-version packument and RSS, measured
# with wrk against a running Airlock and, for reads, against nginx serving the same bytes as static files.
# Everything runs on 127.0.0.1 with random free ports and temp directories; everything started here is stopped at exit.
# See docs/benchmarks.md. Knobs (environment): BENCH_DURATION (s per wrk run, 12), BENCH_WARMUP (s before each
# run, 2), BENCH_JIT_WARMUP (s of each read workload against Airlock before any measurement, 6),
# BENCH_CONNECTIONS (64), BENCH_PUBLISH_CLIENTS (8), BENCH_PACKAGES (300), BENCH_BIG_VERSIONS (5000),
# BENCH_BIG_MODE (seed | http: publish all big-package versions over HTTP, takes minutes), BENCH_OUT (bench/results),
# BENCH_QUIET_WAIT (s to wait for other processes to go idle before each run, 30), AIRLOCK_JAVA_OPTS (passed to the
# launcher, which has its own defaults: see ./airlock and docs/configuration.md).
# `bash bench/run.sh --proxy` also runs bench/proxy.sh (the upstream proxy's figures, issue #12) afterwards.
set -euo pipefail
WITH_PROXY=""
[[ "${1:-}" == "--proxy" ]] && WITH_PROXY=1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
DURATION="${BENCH_DURATION:-12}"
WARMUP="${BENCH_WARMUP:-2}"
JIT_WARMUP="${BENCH_JIT_WARMUP:-6}"
CONNS="${BENCH_CONNECTIONS:-64}"
PUB_CLIENTS="${BENCH_PUBLISH_CLIENTS:-8}"
PACKAGES="${BENCH_PACKAGES:-300}"
BIG_VERSIONS="${BENCH_BIG_VERSIONS:-5000}"
BIG_MODE="${BENCH_BIG_MODE:-seed}"
OUT="${BENCH_OUT:-$here/results}"
THREADS=2
PY=(python3 "$here/airlock_bench.py")

log() { printf '\n== %s\n' "$*" >&2; }

# ------------------------------------------------------------------ tools
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
command -v python3 >/dev/null || need+=(python3)
if ((${#need[@]})); then
  log "installing ${need[*]} with apt-get"
  if [[ $(id -u) -ne 0 ]]; then echo "need root to apt-get install ${need[*]}" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ------------------------------------------------------------------ cleanup
work="$(mktemp -d "${TMPDIR:-/tmp}/airlock-bench.XXXXXX")"
airlock_pid=""
nginx_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$nginx_pid" ]] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill -QUIT "$nginx_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nginx_pid" 2>/dev/null || true
  fi
  if [[ -n "$airlock_pid" ]] && kill -0 "$airlock_pid" 2>/dev/null; then
    kill -TERM "$airlock_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$airlock_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$airlock_pid" 2>/dev/null || true
  fi
  if [[ -z "${BENCH_KEEP:-}" ]]; then rm -rf "$work"; else echo "kept $work" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------ Airlock
log "building (if needed) and starting Airlock"
(cd "$root" && if [[ ! -f target/airlock.jar ]] || [[ -n "$(find src/main pom.xml -newer target/airlock.jar -print -quit)" ]]; then
  mvn -B -q -DskipTests package >&2; fi)
A_PORT="$(free_port)"
"$root/airlock" serve --data "$work/data" --port "$A_PORT" >"$work/airlock.log" 2>&1 &
airlock_pid=$!
for _ in $(seq 600); do
  grep -q "Airlock listening on" "$work/airlock.log" && break
  kill -0 "$airlock_pid" 2>/dev/null || { cat "$work/airlock.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "Airlock listening on" "$work/airlock.log" || { echo "Airlock did not start" >&2; exit 1; }
# the launcher execs java, so $airlock_pid is the JVM
A="http://127.0.0.1:$A_PORT"
echo "Airlock on $A (pid $airlock_pid, data $work/data)" >&2
PASSWORD="bench-$(date +%s)-$RANDOM"
echo "$PASSWORD" | "$root/airlock" user add bench --email bench@example.test --password-stdin --data "$work/data" >&2
TOKEN="$("${PY[@]}" login --port "$A_PORT" --password "$PASSWORD")"

log "loading $PACKAGES packages and one package with $BIG_VERSIONS versions"
t0=$(date +%s.%N)
"${PY[@]}" load --port "$A_PORT" --token "$TOKEN" --packages "$PACKAGES" --big-versions "$BIG_VERSIONS" \
  --big-mode "$BIG_MODE" --data-dir "$work/data" --out "$work/loaded.json"
echo "load took $(python3 -c "import time; print(round(time.time()-$t0,1))") s" >&2

# ------------------------------------------------------------------ nginx with the same bytes
log "exporting packuments and tarballs for nginx"
static="$work/static"
"${PY[@]}" export --port "$A_PORT" --manifest "$work/loaded.json" --dir "$static" --tarball-list "$work/tarballs.txt"
"${PY[@]}" urls --manifest "$work/loaded.json" --out "$work/packuments.txt"
BIG_PATH="/$(python3 -c "import json; print(json.load(open('$work/loaded.json'))['big'] or '')")"

N_PORT="$(free_port)"
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
# generated by bench/run.sh: static copy of the registry's packuments and tarballs
user root;
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 120s;
  keepalive_requests 100000000;
  client_body_temp_path $work/nginx/client_body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  types { application/octet-stream tgz; application/json json; }
  gzip_static on;  # index.json.gz next to each packument, for clients that send Accept-Encoding: gzip
  # the same URL serves the abbreviated or the full document depending on Accept, as the registry does
  map \$http_accept \$variant {
    "~application/vnd\.npm\.install-v1\+json" abbr;
    default full;
  }
  server {
    listen 127.0.0.1:$N_PORT;
    location ~ ^/.+/-/[^/]+\.tgz\$ { root $static/tarballs; }
    location / { root $static/\$variant; try_files \$uri/index.json =404; }
  }
}
EOF
"$NGINX" -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>"$work/nginx/stderr.log" &
nginx_pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$N_PORT") 2>/dev/null && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$work/nginx/stderr.log" "$work/nginx/error.log" >&2; exit 1; }
  sleep 0.1
done
N="http://127.0.0.1:$N_PORT"
echo "nginx on $N (pid $nginx_pid)" >&2

# same bytes from both?
python3 - "$A_PORT" "$N_PORT" "$work/packuments.txt" "$work/tarballs.txt" <<'EOF'
import sys, urllib.request
a, n, pk, tb = sys.argv[1:5]
def get(port, path, accept):
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()
paths = [l.strip() for l in open(pk) if l.strip()][:20]
tars = [l.strip() for l in open(tb) if l.strip()][:20]
for p in paths:
    for acc in ("application/json", "application/vnd.npm.install-v1+json"):
        assert get(a, p, acc) == get(n, p, acc), ("differs", p, acc)
for p in tars:
    assert get(a, p, "*/*") == get(n, p, "*/*"), ("differs", p)
print("nginx serves the same bytes as Airlock (spot check of %d packuments x2, %d tarballs)" % (len(paths), len(tars)),
      file=sys.stderr)
EOF

# ------------------------------------------------------------------ reads
CORGI="application/vnd.npm.install-v1+json"
NPM_ENCODING="gzip,deflate"  # what the npm CLI (minipass-fetch) sends
declare -A accept=([abbreviated]="$CORGI" [full]="application/json" [tarball]="*/*" [abbreviated-gzip]="$CORGI")
declare -A list=([abbreviated]="$work/packuments.txt" [full]="$work/packuments.txt" [tarball]="$work/tarballs.txt"
                 [abbreviated-gzip]="$work/packuments.txt")
declare -A encoding=([abbreviated]="" [full]="" [tarball]="" [abbreviated-gzip]="$NPM_ENCODING")
# CPU accounting around each measured run: the server's JVM, nginx (master + workers), wrk (this shell's children)
# and the whole machine, so the report can say where the cores went and whether anything else was using them.
tck=$(getconf CLK_TCK)
require_airlock() {
  if ! kill -0 "$airlock_pid" 2>/dev/null; then
    echo "Airlock (pid $airlock_pid) is no longer running; the end of its log:" >&2
    tail -n 30 "$work/airlock.log" >&2
    exit 1
  fi
}
# This machine may be shared: before each measured run wait (up to BENCH_QUIET_WAIT s) until the cores are idle, so
# other work does not land in the figures. The report still flags runs that other processes disturbed.
QUIET_WAIT="${BENCH_QUIET_WAIT:-30}"
wait_quiet() {
  local waited=0 busy pids="$airlock_pid"
  [[ -n "$nginx_pid" ]] && pids="$pids $nginx_pid $(ps -o pid= --ppid "$nginx_pid" | tr '\n' ' ')"
  while ((waited < QUIET_WAIT)); do
    # cores used in one second by everything except Airlock and nginx
    busy=$(python3 - $pids <<'PYEOF'
import os, sys, time
def read():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    own = 0
    for p in sys.argv[1:]:
        try:
            st = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()
            own += int(st[11]) + int(st[12])
        except OSError:
            pass
    return f[0] + f[1] + f[2] + f[5] + f[6] + f[7] - own, sum(f[:8])
ncpu = os.cpu_count()
b0, t0 = read(); time.sleep(1); b1, t1 = read()
print("%.2f" % max(0.0, (b1 - b0) / max(t1 - t0, 1) * ncpu))
PYEOF
)
    python3 -c "import sys; sys.exit(0 if float('$busy') <= 0.25 else 1)" && return 0
    ((waited == 0)) && echo "  machine busy ($busy cores in use by other processes); waiting up to ${QUIET_WAIT}s" >&2
    waited=$((waited + 2))
    sleep 1
  done
  echo "  still busy after ${QUIET_WAIT}s; measuring anyway (the report will flag it)" >&2
}
cpu_snapshot() { # sets $snap; must run in this shell (not in $(...)) so `times` sees wrk as a finished child
  local a n=0 w m
  require_airlock
  a=$(awk '{print $14+$15}' "/proc/$airlock_pid/stat")
  if [[ -n "$nginx_pid" ]]; then
    for p in "$nginx_pid" $(ps -o pid= --ppid "$nginx_pid"); do
      n=$((n + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
  fi
  times >"$work/times.txt"
  w=$(awk 'NR==2 { split($1,u,"m"); split($2,s,"m"); printf "%.3f", u[1]*60+u[2]+s[1]*60+s[2] }' "$work/times.txt")
  m=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  snap="$a $n $w $m"
}
cpu_delta() { # before after -> JSON
  python3 - "$1" "$2" "$tck" <<'PYEOF'
import json, sys
b, a, tck = sys.argv[1].split(), sys.argv[2].split(), float(sys.argv[3])
d = [float(x) - float(y) for x, y in zip(a, b)]
print(json.dumps({"airlock_s": d[0] / tck, "nginx_s": d[1] / tck, "wrk_s": d[2], "machine_busy_s": d[3] / tck,
                  "machine_total_s": d[4] / tck}))
PYEOF
}
run_wrk() { # name server-url conns threads secs list accept [accept-encoding]
  local before
  wait_quiet
  cpu_snapshot; before="$snap"
  wrk -t"$4" -c"$3" -d"$5"s --timeout 10s -s "$here/wrk/read.lua" "$2" -- "$6" "$7" "${8:-}" >"$work/$1.out"
  cpu_snapshot
  tail -n 1 "$work/$1.out" >"$work/$1.json"
  cpu_delta "$before" "$snap" >"$work/$1.cpu.json"
  cat "$work/$1.json" >&2
}
KINDS=(abbreviated full tarball abbreviated-gzip)
log "JIT warm-up of Airlock: ${JIT_WARMUP}s of each read workload"
for kind in "${KINDS[@]}"; do
  wrk -t"$THREADS" -c"$CONNS" -d"$JIT_WARMUP"s -s "$here/wrk/read.lua" "$A" -- "${list[$kind]}" "${accept[$kind]}" \
    "${encoding[$kind]}" >/dev/null
done
for kind in "${KINDS[@]}"; do
  for srv in airlock nginx; do
    url="$A"; [[ $srv == nginx ]] && url="$N"
    log "$kind reads from $srv: warm-up ${WARMUP}s, then ${DURATION}s at $CONNS connections"
    wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP"s -s "$here/wrk/read.lua" "$url" -- "${list[$kind]}" "${accept[$kind]}" \
      "${encoding[$kind]}" >/dev/null
    run_wrk "read-$kind-$srv" "$url" "$CONNS" "$THREADS" "$DURATION" "${list[$kind]}" "${accept[$kind]}" "${encoding[$kind]}"
  done
done

# the framework's floor on this machine: an endpoint that touches neither SQLite nor the blob store
echo "/-/ping" >"$work/ping.txt"
log "floor: GET /-/ping from airlock (no database), warm-up ${WARMUP}s, then ${DURATION}s at $CONNS connections"
wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP"s -s "$here/wrk/read.lua" "$A" -- "$work/ping.txt" application/json >/dev/null
run_wrk "read-ping-airlock" "$A" "$CONNS" "$THREADS" "$DURATION" "$work/ping.txt" application/json

# ------------------------------------------------------------------ the 5,000-version packument, warm, sequential
if [[ "$BIG_PATH" != "/" ]]; then
  echo "$BIG_PATH" >"$work/big.txt"
  for srv in airlock nginx; do
    url="$A"; [[ $srv == nginx ]] && url="$N"
    for kind in full abbreviated full-gzip; do
      acc="${accept[${kind%-gzip}]}"; enc=""; [[ $kind == *-gzip ]] && enc="$NPM_ENCODING"
      log "$BIG_PATH ($kind) from $srv: one connection, sequential requests, warm-up 3s then 5s"
      wrk -t1 -c1 -d3s -s "$here/wrk/read.lua" "$url" -- "$work/big.txt" "$acc" "$enc" >/dev/null
      run_wrk "big-$kind-$srv" "$url" 1 1 5 "$work/big.txt" "$acc" "$enc"
    done
  done
fi

# ------------------------------------------------------------------ concurrent publish
BODIES=$(( PUB_CLIENTS * 150 * DURATION ))
((BODIES < 4000)) && BODIES=4000
log "publish: $PUB_CLIENTS concurrent clients for ${DURATION}s ($BODIES pre-generated new versions available)"
"${PY[@]}" bodies --manifest "$work/loaded.json" --count "$BODIES" --out "$work/bodies.txt"
pub_threads=$THREADS; ((PUB_CLIENTS < THREADS)) && pub_threads=$PUB_CLIENTS
wait_quiet
cpu_snapshot; before="$snap"
wrk -t"$pub_threads" -c"$PUB_CLIENTS" -d"$DURATION"s --timeout 30s -s "$here/wrk/publish.lua" "$A" -- \
  "$work/bodies.txt" "$TOKEN" "$pub_threads" >"$work/publish.out"
cpu_snapshot
tail -n 1 "$work/publish.out" >"$work/publish.json"
cpu_delta "$before" "$snap" >"$work/publish.cpu.json"
cat "$work/publish.json" >&2

# ------------------------------------------------------------------ RSS and report
sleep 1
require_airlock
rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$airlock_pid/status")
hwm_kib=$(awk '/^VmHWM/ {print $2}' "/proc/$airlock_pid/status")
echo "Airlock RSS after the load: $((rss_kib / 1024)) MiB (peak $((hwm_kib / 1024)) MiB)" >&2
{ # where the memory is: JVM heap, and the JVM's own accounting when started with -XX:NativeMemoryTracking=summary
  echo "# /proc/$airlock_pid/status"; grep -E '^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem|Threads)' "/proc/$airlock_pid/status"
  if command -v jcmd >/dev/null; then
    echo "# jcmd GC.heap_info"; jcmd "$airlock_pid" GC.heap_info 2>&1 | tail -n +2
    if grep -q NativeMemoryTracking "/proc/$airlock_pid/cmdline"; then
      echo "# jcmd VM.native_memory summary"; jcmd "$airlock_pid" VM.native_memory summary 2>&1 | tail -n +2
    fi
  fi
} >"$OUT/memory.txt" 2>&1 || true
java_opts="$(tr '\0' ' ' <"/proc/$airlock_pid/cmdline")"

stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
python3 - "$work" "$OUT/results.json" <<EOF
import json, os, platform, subprocess, sys
work, out = sys.argv[1], sys.argv[2]
def j(name):
    p = os.path.join(work, name + ".json")
    if not os.path.exists(p):
        return None
    d = json.load(open(p))
    c = os.path.join(work, name + ".cpu.json")
    if os.path.exists(c):
        d["cpu"] = json.load(open(c))
    return d
def cmd(*a):
    try:
        return subprocess.run(a, capture_output=True, text=True).stderr.strip() or ""
    except OSError:
        return ""
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next(int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal"))
loaded = json.load(open(os.path.join(work, "loaded.json")))
r = {
  "date": "$stamp",
  "machine": {"cpu": cpu, "nproc": os.cpu_count(), "mem_mib": mem, "kernel": platform.release(),
              "java": cmd("java", "-version").splitlines()[0], "wrk": "4.x (Debian)",
              "nginx": cmd("$NGINX", "-v").replace("nginx version: ", ""),
              "data_fs": subprocess.run(["df", "-T", work], capture_output=True, text=True).stdout.splitlines()[-1].split()[1],
              "loadavg_at_start": "$loadavg_start".split(),
              "loadavg_at_end": open("/proc/loadavg").read().split()[:3]},
  "airlock_cmdline": """$java_opts""".strip(),
  "wrk": {"threads": $THREADS, "connections": $CONNS, "duration_s": $DURATION, "warmup_s": $WARMUP,
          "jit_warmup_s": $JIT_WARMUP,
          "publish_clients": $PUB_CLIENTS},
  "load": loaded["stats"],
  "reads": {k: {s: j("read-%s-%s" % (k, s)) for s in ("airlock", "nginx")}
            for k in ("abbreviated", "full", "tarball", "abbreviated-gzip", "ping")},
  "big": {s: {k: j("big-%s-%s" % (k, s)) for k in ("full", "abbreviated", "full-gzip")} for s in ("airlock", "nginx")},
  "big_bytes": {k + suffix.replace(".", "-"): os.path.getsize(os.path.join(work, "static", k, loaded["big"], "index.json" + suffix))
                if loaded["big"] else None for k in ("full", "abbr") for suffix in ("", ".gz")},
  "publish": j("publish"),
  "rss": {"rss_mib": $rss_kib / 1024, "hwm_mib": $hwm_kib / 1024},
}
json.dump(r, open(out, "w"), indent=2)
EOF
"${PY[@]}" report --results "$OUT/results.json" --text "$OUT/results.txt"
echo "results: $OUT/results.json, $OUT/results.txt" >&2
if [[ -n "$WITH_PROXY" ]]; then
  log "the upstream proxy: bench/proxy.sh"
  BENCH_OUT="$OUT" bash "$here/proxy.sh"
fi
