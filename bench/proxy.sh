#!/usr/bin/env bash
# Airlock benchmark for the upstream proxy (issue #12, docs/benchmarks.md "Issue #12: upstream proxy"):
#  1. cold installs of a real tree (jest + express + one package with a ~24 MiB tarball, about 340 packages) with npm
#     11.19.1, straight from an upstream registry and through a proxying Airlock, fresh caches each time, median;
#  2. the proxying Airlock's memory (VmRSS sampled during each install, VmHWM, jcmd GC.heap_info);
#  3. warm reads with wrk: packuments (full, abbreviated, abbreviated + gzip) and tarballs of proxied names against the
#     same requests for local names, on the same Airlock.
# The upstream is a second Airlock on loopback, filled with `./airlock import` from the real-world corpus cache
# (~/.cache/airlock-corpus/registry, real packuments and tarballs of the public registry; served by a small mirror,
# no network). Everything runs on 127.0.0.1 with random ports and a temp directory, and is stopped at exit.
# Knobs (environment): BENCH_PROXY_REPS (cold installs per registry, 3), BENCH_DURATION (s per wrk run, 10),
# BENCH_WARMUP (2), BENCH_CONNECTIONS (64), BENCH_PROXY_LARGE_MB (24), BENCH_QUIET_WAIT (s to wait for the machine
# to go idle before each measurement, 20), BENCH_OUT (bench/results), BENCH_KEEP=1, AIRLOCK_CORPUS_CACHE,
# BENCH_PROXY_WARMUP_PACKAGES (generated packages fetched through each new proxy, with the corpus versions outside
# the tree, to warm its JIT on the cold paths before it is measured; 800), BENCH_PROXY_SKIP_READS=1 /
# BENCH_PROXY_SKIP_INSTALLS=1 / BENCH_PROXY_SKIP_LARGE=1, BENCH_PROXY_LONG=1 (one long-running proxy for every
# install, its cache purged with `./airlock proxy purge --all` before each, instead of a new proxy per install).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
REPS="${BENCH_PROXY_REPS:-3}"
DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-2}"
CONNS="${BENCH_CONNECTIONS:-64}"
LARGE_MB="${BENCH_PROXY_LARGE_MB:-24}"
SYNTH="${BENCH_PROXY_WARMUP_PACKAGES:-800}"
QUIET_WAIT="${BENCH_QUIET_WAIT:-20}"
OUT="${BENCH_OUT:-$here/results}"
CACHE="${AIRLOCK_CORPUS_CACHE:-$HOME/.cache/airlock-corpus}/registry"
NPM="$root/target/clients/node_modules/.bin/npm"
CORGI_TYPE="application/vnd.npm.install-v1+json"
export NPM_BIN="$NPM"
PY=(python3 "$here/proxy_bench.py")
LAUNCHER_OPTS="-Xmx80m -XX:NewRatio=3 -XX:+UseSerialGC -XX:+IgnoreUnrecognizedVMOptions -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000"
PROXY_OPTS="${AIRLOCK_JAVA_OPTS:-$LAUNCHER_OPTS}"
unset AIRLOCK_JAVA_OPTS  # the upstream and the imports run with the launcher's own defaults

log() { printf '\n== %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk; bench/run.sh installs it)" >&2; exit 1; }
[[ -x "$NPM" ]] || { echo "npm 11.19.1 is expected in target/clients (scripts/install-clients.sh)" >&2; exit 1; }

# ------------------------------------------------------------------ the corpus cache
python3 - "$CACHE" "$root/src/test/resources/corpus" <<'EOF' || exit 1
import json, os, sys
cache, corpus = sys.argv[1:3]
missing = []
for p in sorted(os.listdir(corpus)):
    lock = json.load(open(os.path.join(corpus, p, "package-lock.json")))
    for path, v in lock["packages"].items():
        if path and "resolved" in v:
            name = v.get("name") or path.split("node_modules/")[-1]
            f = os.path.join(cache, "tarballs", name.replace("/", "%2f"), v["resolved"].rsplit("/", 1)[1])
            if not os.path.isfile(f):
                missing.append(name + "@" + v["version"])
if missing:
    sys.exit("The corpus cache %s lacks %d tarballs (%s ...). Fill it once from the public registry with\n"
             "  mvn -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=RealWorldCorpusIT\n"
             "(testing/RegistryMirror caches every packument and tarball it serves), then run this again."
             % (cache, len(missing), ", ".join(missing[:3])))
EOF

# ------------------------------------------------------------------ cleanup
work="$(mktemp -d "${TMPDIR:-/tmp}/airlock-proxy-bench.XXXXXX")"
pids=()
stop() { # pid: TERM, then KILL after 10 s
  local p=$1
  kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do stop "$p"; done
  if [[ -z "${BENCH_KEEP:-}" ]]; then rm -rf "$work"; else echo "kept $work" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"

(cd "$root" && if [[ ! -f target/airlock.jar ]] || [[ -n "$(find src/main pom.xml -newer target/airlock.jar -print -quit)" ]]; then
  mvn -B -q -DskipTests package >&2; fi)

# start_airlock NAME DATA PORT [env...]: sets $started (the JVM's pid; the launcher execs java)
start_airlock() {
  local name=$1 data=$2 port=$3
  shift 3
  env "$@" "$root/airlock" serve --data "$data" --port "$port" >"$work/$name.log" 2>&1 &
  started=$!
  pids+=("$started")
  for _ in $(seq 600); do
    grep -q "Airlock listening on" "$work/$name.log" 2>/dev/null && return 0
    kill -0 "$started" 2>/dev/null || { cat "$work/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name did not start" >&2
  exit 1
}
cpu_of() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
machine_cpu() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
tck=$(getconf CLK_TCK)
# wait (up to QUIET_WAIT s) until processes other than ours use less than a quarter of a core
wait_quiet() {
  local waited=0 own
  while ((waited < QUIET_WAIT)); do
    own=0
    for p in "${pids[@]}"; do own=$((own + $(cpu_of "$p"))); done
    read -r b0 _ < <(machine_cpu); o0=$own; sleep 1
    own=0
    for p in "${pids[@]}"; do own=$((own + $(cpu_of "$p"))); done
    read -r b1 _ < <(machine_cpu)
    if (( (b1 - b0) - (own - o0) <= tck / 4 )); then return 0; fi
    ((waited == 0)) && echo "  machine busy; waiting up to ${QUIET_WAIT}s" >&2
    waited=$((waited + 1))
  done
  echo "  still busy after ${QUIET_WAIT}s; measuring anyway (see 'other cpu')" >&2
}

# ------------------------------------------------------------------ the upstream: mirror -> import -> Airlock
log "upstream: a second Airlock filled with ./airlock import from the corpus cache"
M_PORT="$(free_port)"
"${PY[@]}" mirror --cache "$CACHE" --port "$M_PORT" >"$work/mirror.log" 2>&1 &
pids+=($!)
U_PORT="$(free_port)"
start_airlock upstream "$work/upstream" "$U_PORT"
upstream_pid=$started
U="http://127.0.0.1:$U_PORT/"
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$M_PORT") 2>/dev/null && break; sleep 0.1; done
lockfiles=()
for p in "$root"/src/test/resources/corpus/*/package-lock.json; do lockfiles+=(--lockfile "$p"); done
t0=$(date +%s)
"$root/airlock" import --registry "http://127.0.0.1:$M_PORT/" "${lockfiles[@]}" --data "$work/upstream" --jobs 4 \
  2>"$work/import.err" | tee "$work/import.out" >&2
"${PY[@]}" bigtgz --name airlock-bench-large --mb "$LARGE_MB" --out "$work/large" >/dev/null
"$root/airlock" import --tarballs "$work/large" --data "$work/upstream" 2>>"$work/import.err" >&2
# generated packages for the proxy's JIT warm-up (names outside any real tree)
"${PY[@]}" synth --count "$SYNTH" --out "$work/synth" --specs "$work/synth.txt"
"$root/airlock" import --tarballs "$work/synth" --data "$work/upstream" 2>>"$work/import.err" | tail -1 >&2
echo "  upstream filled in $(( $(date +%s) - t0 )) s" >&2

mkdir -p "$work/project"
cat >"$work/project/package.json" <<EOF
{"name": "proxy-bench-tree", "version": "1.0.0", "private": true,
 "dependencies": {"jest": "^29.7.0", "express": "^4.21.2", "airlock-bench-large": "1.0.0"}}
EOF
: >"$work/npmrc"

# install VIA REGISTRY-URL LABEL: one cold install in a fresh directory with a fresh cache; appends to installs.jsonl
install() {
  local via=$1 reg=$2 rep=$3 proxy_pid=${4:-} dir="$work/install-$1-$3" a0 a1 u0 u1 p0=0 p1=0 m0 m1 t0 t1 rc
  rm -rf "$dir" "$work/cache-$via-$rep"
  mkdir -p "$dir"
  cp "$work/project/package.json" "$dir/"
  wait_quiet
  rm -f "$work/done"
  sampler=""
  if [[ -n "$proxy_pid" ]]; then
    "${PY[@]}" sample --pid "$proxy_pid" --until "$work/done" --out "$work/mem-$rep.json" --ms 200 &
    sampler=$!
  fi
  [[ -n "$proxy_pid" ]] && "${PY[@]}" threads --pid "$proxy_pid" --out "$work/threads0.json"
  u0=$(cpu_of "$upstream_pid"); [[ -n "$proxy_pid" ]] && p0=$(cpu_of "$proxy_pid")
  read -r m0 a0 < <(machine_cpu)
  times >"$work/times0"
  t0=$(date +%s.%N)
  (cd "$dir" && "$NPM" install --registry "$reg" --cache "$work/cache-$via-$rep" --userconfig "$work/npmrc" \
    --ignore-scripts --no-audit --no-fund --no-update-notifier --loglevel=warn >"$work/npm-$via-$rep.log" 2>&1) && rc=0 || rc=$?
  t1=$(date +%s.%N)
  times >"$work/times1"
  read -r m1 a1 < <(machine_cpu)
  u1=$(cpu_of "$upstream_pid"); [[ -n "$proxy_pid" ]] && p1=$(cpu_of "$proxy_pid")
  [[ -n "$proxy_pid" ]] && "${PY[@]}" threads --pid "$proxy_pid" --before "$work/threads0.json" --out "$work/threads-$rep.json"
  touch "$work/done"; [[ -n "$sampler" ]] && { wait "$sampler" 2>/dev/null || true; }
  if ((rc)); then echo "npm install via $via failed:" >&2; tail -20 "$work/npm-$via-$rep.log" >&2; exit 1; fi
  python3 - "$via" "$rep" "$t0" "$t1" "$u0" "$u1" "$p0" "$p1" "$m0" "$m1" "$a0" "$a1" "$tck" "$work" "$dir" \
    "${proxy_pid:+$work/mem-$rep.json}" <<'EOF' | tee -a "$work/installs.jsonl" >&2
import json, os, sys
via, rep, t0, t1, u0, u1, p0, p1, m0, m1, a0, a1, tck, work, d = sys.argv[1:16]
mem = sys.argv[16] if len(sys.argv) > 16 and sys.argv[16] else None
tck = float(tck)
def child_cpu(f):  # second line of `times`: children's user and system time
    u, s = open(f).read().splitlines()[1].split()
    sec = lambda x: float(x.split("m")[0]) * 60 + float(x.split("m")[1].rstrip("s"))
    return sec(u) + sec(s)
npm = child_cpu(os.path.join(work, "times1")) - child_cpu(os.path.join(work, "times0"))
wall = float(t1) - float(t0)
up = (float(u1) - float(u0)) / tck
px = (float(p1) - float(p0)) / tck if via == "proxy" else None
busy = (float(m1) - float(m0)) / tck
total = (float(a1) - float(a0)) / tck
added = sum(1 for p, v in json.load(open(os.path.join(d, "node_modules", ".package-lock.json")))["packages"].items() if p)
r = {"via": via, "rep": int(rep), "wall_s": round(wall, 3), "npm_cpu_s": round(npm, 2), "upstream_cpu_s": round(up, 2),
     "proxy_cpu_s": None if px is None else round(px, 2),
     "other_cpu_s": round(max(0.0, busy - npm - up - (px or 0)), 2), "idle_s": round(total - busy, 2), "added": added}
if mem:
    r["mem"] = json.load(open(mem))
    r["threads"] = json.load(open(os.path.join(work, "threads-%s.json" % rep)))
print(json.dumps(r))
EOF
}

: >"$work/installs.jsonl"
if [[ -z "${BENCH_PROXY_SKIP_INSTALLS:-}" ]]; then
  log "warm-up: one direct install (discarded) so the upstream's JIT is warm"
  install warmup "$U" 0
  sed -i '/"via": "warmup"/d' "$work/installs.jsonl"
  "${PY[@]}" tree --project "$work/install-warmup-0" >"$work/tree.txt"
  # the proxy's JIT warm-up set: every corpus version whose name is not in the measured tree
  python3 - "$root/src/test/resources/corpus" "$work/tree.txt" >"$work/jit.txt" <<'EOF'
import json, os, sys
corpus, tree = sys.argv[1:3]
names = {l.strip().rsplit("@", 1)[0] for l in open(tree) if l.strip()}
out = set()
for p in os.listdir(corpus):
    for path, v in json.load(open(os.path.join(corpus, p, "package-lock.json")))["packages"].items():
        if path and "resolved" in v:
            n = v.get("name") or path.split("node_modules/")[-1]
            if n not in names:
                out.add(n + "@" + v["version"])
print("\n".join(sorted(out)))
EOF
  echo "  measured tree: $(wc -l <"$work/tree.txt") packages; proxy JIT warm-up set: $(wc -l <"$work/jit.txt") other versions" >&2
  cat "$work/jit.txt" "$work/synth.txt" >"$work/jit-all.txt"
  warm_proxy() { # port: fetch every name outside the tree through it twice (its cold paths, then its warm ones)
    "${PY[@]}" fetch --port "$1" --specs "$work/jit-all.txt" --jobs 8
    "${PY[@]}" fetch --port "$1" --specs "$work/jit-all.txt" --jobs 8 2>/dev/null
    sleep 3  # let the JIT's compile queue drain
  }
  if [[ -n "${BENCH_PROXY_LONG:-}" ]]; then
    # one long-running proxy, as a registry in service runs: its cache is purged before each install
    P_PORT="$(free_port)"
    start_airlock "proxy-long" "$work/proxy-long" "$P_PORT" AIRLOCK_PROXY_UPSTREAM="$U" AIRLOCK_JAVA_OPTS="$PROXY_OPTS"
    long_pid=$started
    warm_proxy "$P_PORT"
  fi
  for rep in $(seq "$REPS"); do
    log "rep $rep/$REPS: direct from the upstream"
    install direct "$U" "$rep"
    if [[ -n "${BENCH_PROXY_LONG:-}" ]]; then
      log "rep $rep/$REPS: through the long-running proxying Airlock, its cache purged (./airlock proxy purge --all)"
      AIRLOCK_PROXY_UPSTREAM="$U" java -jar "$root/target/airlock.jar" proxy purge --all --data "$work/proxy-long" >&2
      proxy_pid=$long_pid
      sleep 2
    else
      log "rep $rep/$REPS: through a new proxying Airlock (empty cache; JIT warmed on names outside the tree)"
      P_PORT="$(free_port)"
      start_airlock "proxy-$rep" "$work/proxy-$rep" "$P_PORT" AIRLOCK_PROXY_UPSTREAM="$U" AIRLOCK_JAVA_OPTS="$PROXY_OPTS"
      proxy_pid=$started
      warm_proxy "$P_PORT"
    fi
    install proxy "http://127.0.0.1:$P_PORT/" "$rep" "$proxy_pid"
    if ((rep == REPS)); then
      { jcmd "$proxy_pid" GC.heap_info 2>&1 | tail -n +2; } >"$work/heap.txt" || true
      last_proxy_port=$P_PORT; last_proxy_pid=$proxy_pid
      if [[ -n "${BENCH_PROXY_LONG:-}" ]]; then last_proxy_data="$work/proxy-long"; else last_proxy_data="$work/proxy-$rep"; fi
      tr '\0' ' ' <"/proc/$proxy_pid/cmdline" >"$work/proxy-cmdline.txt"
    elif [[ -z "${BENCH_PROXY_LONG:-}" ]]; then
      stop "$proxy_pid"
    fi
  done
  # the large tarball through the proxy: with the heap limited to 32 MiB, a copy held in the heap would not fit
  log "streaming check: the ${LARGE_MB} MiB tarball through a proxy with -Xmx32m"
  S_PORT="$(free_port)"
  start_airlock stream "$work/stream" "$S_PORT" AIRLOCK_PROXY_UPSTREAM="$U" \
    AIRLOCK_JAVA_OPTS="${LAUNCHER_OPTS/-Xmx80m/-Xmx32m}"
  stream_pid=$started
  big_line="$(curl -s -o /dev/null -w 'large tarball through a fresh proxy with -Xmx32m: HTTP %{http_code}, %{size_download} bytes in %{time_total} s' \
    "http://127.0.0.1:$S_PORT/airlock-bench-large/-/airlock-bench-large-1.0.0.tgz")"
  big_line="$big_line; proxy VmHWM $(awk '/^VmHWM/ {printf "%d MiB", $2/1024}' "/proc/$stream_pid/status")"
  big_line="$big_line; bytes identical to the upstream's: $(cmp -s <(curl -s "http://127.0.0.1:$S_PORT/airlock-bench-large/-/airlock-bench-large-1.0.0.tgz") "$work/large/airlock-bench-large-1.0.0.tgz" && echo yes || echo NO)"
  echo "  $big_line" >&2
  stop "$stream_pid"
fi

# ------------------------------------------------------------------ a large public packument, proxied as is
# The upstream above holds only imported versions; the public registry's packuments are far larger. A proxy pointed
# straight at the corpus mirror (every version, byte for byte) is asked for @types/node (9.4 MB upstream) as npm asks.
if [[ -z "${BENCH_PROXY_SKIP_LARGE:-}" ]]; then
  log "a large upstream packument (@types/node, 9.4 MB) through a proxy of the corpus mirror, launcher's heap"
  G_PORT="$(free_port)"
  start_airlock largedoc "$work/largedoc" "$G_PORT" AIRLOCK_PROXY_UPSTREAM="http://127.0.0.1:$M_PORT/" \
    AIRLOCK_JAVA_OPTS="$PROXY_OPTS"
  large_pid=$started
  G="http://127.0.0.1:$G_PORT"
  first="$(curl -s --max-time 60 -o /dev/null -w 'HTTP %{http_code} in %{time_total} s' -H "Accept: $CORGI_TYPE" \
    -H 'Accept-Encoding: gzip' "$G/@types%2fnode" || true)"
  after="$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$G/-/ping" || true)"
  doc_line="@types/node through a fresh proxy: first request $first; /-/ping afterwards: HTTP $after"
  grep -q OutOfMemoryError "$work/largedoc.log" && doc_line="$doc_line; OutOfMemoryError in the proxy's log"
  if [[ "$first" == "HTTP 200"* ]]; then
    echo "/@types%2fnode" >"$work/largedoc.txt"
    warm="$(wrk -t1 -c1 -d5s -s "$here/wrk/read.lua" "$G" -- "$work/largedoc.txt" "$CORGI_TYPE" gzip,deflate | tail -n 1)"
    doc_line="$doc_line; warm reads (one connection, gzip): $(python3 -c "import json,sys; d=json.loads(sys.argv[1]); print('%.1f r/s, p50 %.1f ms' % (d['rps'], d['p50_us']/1e3))" "$warm")"
  fi
  doc_line="$doc_line; proxy VmHWM $(awk '/^VmHWM/ {printf "%d MiB", $2/1024}' "/proc/$large_pid/status")"
  echo "  $doc_line" >&2
  stop "$large_pid"
fi

# ------------------------------------------------------------------ warm reads: proxied vs local on one Airlock
: >"$work/reads.jsonl"
if [[ -z "${BENCH_PROXY_SKIP_READS:-}" ]]; then
  log "warm reads: half of the tree imported locally into the proxying Airlock, the other half proxied and cached"
  if [[ -z "${last_proxy_port:-}" ]]; then
    last_proxy_port="$(free_port)"
    start_airlock proxy-reads "$work/proxy-reads" "$last_proxy_port" AIRLOCK_PROXY_UPSTREAM="$U" AIRLOCK_JAVA_OPTS="$PROXY_OPTS"
    last_proxy_pid=$started; last_proxy_data="$work/proxy-reads"
    [[ -s "$work/tree.txt" ]] || { install warmup "$U" 0; sed -i '/"via": "warmup"/d' "$work/installs.jsonl"
      "${PY[@]}" tree --project "$work/install-warmup-0" >"$work/tree.txt"; }
    tr '\0' ' ' <"/proc/$last_proxy_pid/cmdline" >"$work/proxy-cmdline.txt"
  fi
  # alternate names (sorted) between the two halves so both have the same mix of sizes; the large tarball is left out
  grep -v '^airlock-bench-large@' "$work/tree.txt" | awk -v l="$work/local.txt" -v p="$work/proxied.txt" '
    { n = $0; sub(/@[^@]*$/, "", n); if (n != last) { k++; last = n } print > ((k % 2) ? p : l) }'
  mapfile -t local_names < <(sed 's/@[^@]*$//' "$work/local.txt" | sort -u)
  "$root/airlock" import --registry "$U" "${local_names[@]}" --data "$last_proxy_data" --jobs 4 2>>"$work/import.err" >&2
  "${PY[@]}" fetch --port "$last_proxy_port" --specs "$work/proxied.txt" --jobs 8
  "${PY[@]}" fetch --port "$last_proxy_port" --specs "$work/local.txt" --jobs 8
  for half in local proxied; do
    "${PY[@]}" lists --specs "$work/$half.txt" --packuments "$work/$half-packuments.txt" --tarballs "$work/$half-tarballs.txt"
  done
  A="http://127.0.0.1:$last_proxy_port"
  CORGI="application/vnd.npm.install-v1+json"
  log "JIT warm-up: 4 s of each read workload"
  for half in local proxied; do
    for kind in full abbreviated; do
      acc=application/json; [[ $kind == abbreviated ]] && acc=$CORGI
      wrk -t2 -c"$CONNS" -d4s -s "$here/wrk/read.lua" "$A" -- "$work/$half-packuments.txt" "$acc" gzip,deflate >/dev/null
    done
    wrk -t2 -c"$CONNS" -d4s -s "$here/wrk/read.lua" "$A" -- "$work/$half-tarballs.txt" "*/*" >/dev/null
  done
  # kind: list-suffix accept accept-encoding
  for spec in "full|packuments|application/json|" "abbreviated|packuments|$CORGI|" \
              "abbreviated-gzip|packuments|$CORGI|gzip,deflate" "tarball|tarballs|*/*|"; do
    IFS='|' read -r kind list acc enc <<<"$spec"
    for half in local proxied; do
      wait_quiet
      wrk -t2 -c"$CONNS" -d"$WARMUP"s -s "$here/wrk/read.lua" "$A" -- "$work/$half-$list.txt" "$acc" "$enc" >/dev/null
      wrk -t2 -c"$CONNS" -d"$DURATION"s --timeout 10s -s "$here/wrk/read.lua" "$A" -- "$work/$half-$list.txt" "$acc" "$enc" \
        | tail -n 1 | python3 -c "import json,sys; d=json.load(sys.stdin); d.update(kind='$kind', half='$half'); print(json.dumps(d))" \
        | tee -a "$work/reads.jsonl" >&2
    done
  done
fi

# ------------------------------------------------------------------ report
stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
python3 - "$work" "$OUT/proxy-results.json" "$stamp" "$loadavg_start" "${big_line:-}" "$DURATION" "$CONNS" \
  "${doc_line:-}" <<'EOF'
import json, os, platform, subprocess, sys
work, out, stamp, la, big, duration, conns, doc = sys.argv[1:9]
def lines(f):
    p = os.path.join(work, f)
    return [json.loads(l) for l in open(p) if l.strip()] if os.path.exists(p) else []
reads = {}
for x in lines("reads.jsonl"):
    reads.setdefault(x["kind"], {})[x["half"]] = x
def read(f):
    p = os.path.join(work, f)
    return open(p).read().strip() if os.path.exists(p) else None
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
r = {"date": stamp,
     "machine": {"cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
                 "nproc": os.cpu_count(), "java": java,
                 "mem_mib": next(int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")),
                 "kernel": platform.release(), "loadavg_at_start": la.split(), "loadavg_at_end": open("/proc/loadavg").read().split()[:3]},
     "npm": subprocess.run([os.environ.get("NPM_BIN", "npm"), "--version"], capture_output=True, text=True).stdout.strip(),
     "proxy_cmdline": read("proxy-cmdline.txt"), "installs": lines("installs.jsonl"), "heap": read("heap.txt"),
     "big": big or None, "large_packument": doc or None, "reads": reads, "wrk": {"connections": int(conns), "duration_s": int(duration)},
     "tree": [l.strip() for l in open(os.path.join(work, "tree.txt"))] if os.path.exists(os.path.join(work, "tree.txt")) else []}
json.dump(r, open(out, "w"), indent=2)
EOF
"${PY[@]}" report --results "$OUT/proxy-results.json" --text "$OUT/proxy-results.txt"
echo "results: $OUT/proxy-results.json, $OUT/proxy-results.txt" >&2
