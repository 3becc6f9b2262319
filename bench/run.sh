#!/usr/bin/env bash
# Airlock benchmark: packument and tarball reads, concurrent publish, the 5,000-version packument (and the cost of
# publishing it), cold `npm install` of a 200-package tree and RSS, measured in one run against Airlock, Verdaccio 6
# (the registry users would otherwise pick; the pinned version in target/clients) and nginx serving Airlock's bytes as
# static files. Everything runs on 127.0.0.1 with random free ports and temp directories; everything started here is
# stopped at exit. See docs/benchmarks.md. Knobs (environment): BENCH_DURATION (s per wrk run, 12), BENCH_WARMUP (s
# before each run, 2), BENCH_JIT_WARMUP (s of each read workload against Airlock and Verdaccio before any
# measurement, 6), BENCH_CONNECTIONS (64), BENCH_PUBLISH_CLIENTS (8), BENCH_PACKAGES (300), BENCH_BIG_VERSIONS
# (5000), BENCH_BIG_MODE (Airlock's big package: http, every version over HTTP, one client, each latency recorded;
# the only mode since packuments are stored per version), BENCH_VERDACCIO_BIG_MODE (seed: BENCH_BIG_HTTP versions,
# 500, over HTTP, the rest written into its storage; or http), BENCH_TREE_PACKAGES (200),
# BENCH_INSTALL_REPS (cold installs from each server, 5; 0 skips them), BENCH_OUT (bench/results), BENCH_QUIET_WAIT
# (s to wait for other processes to go idle before each run, 30), AIRLOCK_JAVA_OPTS (passed to the launcher, which
# has its own defaults: see ./airlock and docs/configuration.md).
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
BIG_MODE="${BENCH_BIG_MODE:-http}"
BIG_HTTP="${BENCH_BIG_HTTP:-500}"
# Verdaccio rewrites its whole package.json on every publish: 5,000 over HTTP take it tens of minutes here (about 10
# publishes/s by version 1,000 and falling), so by default its big package is seeded (first 500 over HTTP)
V_BIG_MODE="${BENCH_VERDACCIO_BIG_MODE:-seed}"
TREE_PACKAGES="${BENCH_TREE_PACKAGES:-200}"
INSTALL_REPS="${BENCH_INSTALL_REPS:-5}"
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
command -v node >/dev/null || { echo "node is needed (Verdaccio and npm run on it)" >&2; exit 1; }
# npm 11.19.1 and Verdaccio 6 are the build's pinned clients (pom.xml, scripts/install-clients.sh -> target/clients);
# installed here from the npm registry, with the same list as the build, when missing
CLIENTS="$root/target/clients"
NPM="$CLIENTS/node_modules/.bin/npm"
VERDACCIO="$CLIENTS/node_modules/verdaccio/bin/verdaccio"
if [[ ! -x "$NPM" || ! -f "$VERDACCIO" ]]; then
  log "installing the pinned clients into $CLIENTS (scripts/install-clients.sh)"
  pin() { sed -n "s:.*<clients\.$1>\(.*\)</clients\.$1>.*:\1:p" "$root/pom.xml"; }
  bash "$root/scripts/install-clients.sh" "$CLIENTS" "npm@$(pin npm)" "pnpm@$(pin pnpm)" \
    "@yarnpkg/cli-dist@$(pin yarnBerry)" "yarn-classic@npm:yarn@$(pin yarnClassic)" "bun@$(pin bun)" \
    "verdaccio@$(pin verdaccio)" "oidc-provider@$(pin oidcProvider)" >&2
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ------------------------------------------------------------------ cleanup
work="$(mktemp -d "${TMPDIR:-/tmp}/airlock-bench.XXXXXX")"
airlock_pid=""
nginx_pid=""
verdaccio_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$verdaccio_pid" ]] && kill -0 "$verdaccio_pid" 2>/dev/null; then
    kill -TERM "$verdaccio_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$verdaccio_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$verdaccio_pid" 2>/dev/null || true
  fi
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

log "loading $PACKAGES packages and one package with $BIG_VERSIONS versions into Airlock"
t0=$(date +%s.%N)
"${PY[@]}" load --port "$A_PORT" --token "$TOKEN" --registry "$A/" --packages "$PACKAGES" \
  --big-versions "$BIG_VERSIONS" --big-mode "$BIG_MODE" --big-http "$BIG_HTTP" --data-dir "$work/data" \
  --out "$work/loaded.json"
echo "load took $(python3 -c "import time; print(round(time.time()-$t0,1))") s" >&2

# ------------------------------------------------------------------ Verdaccio with the same packages
# Its own local storage in the temp directory, no uplinks (it never reaches the internet), htpasswd users, JWT API
# tokens (security.api.jwt), anyone may read, logged-in users publish. Log level warn: Airlock logs no request either.
V_VERSION="$(python3 -c "import json; print(json.load(open('$CLIENTS/node_modules/verdaccio/package.json'))['version'])")"
log "starting Verdaccio $V_VERSION"
V_PORT="$(free_port)"
vd="$work/verdaccio"
mkdir -p "$vd/storage"
cat >"$vd/config.yaml" <<EOF
# generated by bench/run.sh
storage: $vd/storage
auth:
  htpasswd:
    file: $vd/htpasswd
    max_users: 1000
uplinks: {}
packages:
  '@*/*':
    access: \$all
    publish: \$authenticated
    unpublish: \$authenticated
  '**':
    access: \$all
    publish: \$authenticated
    unpublish: \$authenticated
security:
  api:
    jwt:
      sign:
        expiresIn: 7d
web:
  enable: false
log: { type: file, path: $vd/verdaccio.log, level: warn }
EOF
(cd "$vd" && exec node "$VERDACCIO" --config "$vd/config.yaml" --listen "127.0.0.1:$V_PORT" >"$vd/stdout.log" 2>&1) &
verdaccio_pid=$!
V="http://127.0.0.1:$V_PORT"
for _ in $(seq 300); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "$V/-/ping" 2>/dev/null)" == 200 ]] && break
  kill -0 "$verdaccio_pid" 2>/dev/null || { cat "$vd/stdout.log" >&2; exit 1; }
  sleep 0.1
done
echo "Verdaccio on $V (pid $verdaccio_pid, storage $vd/storage)" >&2
# npm adduser's request: Verdaccio registers the user and answers with a JWT
V_TOKEN="$(curl -sf -X PUT -H 'Content-Type: application/json' "$V/-/user/org.couchdb.user:bench" \
  --data "{\"name\":\"bench\",\"password\":\"$PASSWORD\",\"type\":\"user\"}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
[[ "$V_TOKEN" == *.*.* ]] || { echo "Verdaccio did not hand out a JWT: $V_TOKEN" >&2; exit 1; }
log "loading the same packages into Verdaccio (big package: $V_BIG_MODE)"
t0=$(date +%s.%N)
"${PY[@]}" load --port "$V_PORT" --token "$V_TOKEN" --registry "$V/" --packages "$PACKAGES" \
  --big-versions "$BIG_VERSIONS" --big-mode "$V_BIG_MODE" --big-http "$BIG_HTTP" --server verdaccio --data-dir "$vd/storage" \
  --out "$work/loaded-verdaccio.json"
echo "load took $(python3 -c "import time; print(round(time.time()-$t0,1))") s" >&2

# ------------------------------------------------------------------ the install tree, on both registries
if ((INSTALL_REPS > 0)); then
  log "publishing the install tree ($TREE_PACKAGES packages) to Airlock and Verdaccio"
  "${PY[@]}" tree --port "$A_PORT" --token "$TOKEN" --registry "$A/" --count "$TREE_PACKAGES" \
    --project "$work/project" --out "$work/tree.json"
  "${PY[@]}" tree --port "$V_PORT" --token "$V_TOKEN" --registry "$V/" --count "$TREE_PACKAGES"
fi

log "checking that Verdaccio serves the same packages as Airlock"
"${PY[@]}" compare --port "$A_PORT" --other "$V_PORT" --manifest "$work/loaded.json" --out "$work/doc-sizes.json"
if [[ -f "$work/tree.json" ]]; then
  "${PY[@]}" compare --port "$A_PORT" --other "$V_PORT" --manifest "$work/tree.json"
fi

# ------------------------------------------------------------------ nginx with the same bytes
N_PORT="$(free_port)"
N="http://127.0.0.1:$N_PORT"
log "exporting packuments and tarballs for nginx"
static="$work/static"
"${PY[@]}" export --port "$A_PORT" --manifest "$work/loaded.json" --dir "$static" --tarball-list "$work/tarballs.txt"
"${PY[@]}" urls --manifest "$work/loaded.json" --out "$work/packuments.txt"
BIG_PATH="/$(python3 -c "import json; print(json.load(open('$work/loaded.json'))['big'] or '')")"
# the install tree: Airlock's documents with their tarball URLs moved to nginx, so npm fetches everything from it
if [[ -f "$work/tree.json" ]]; then
  "${PY[@]}" export --port "$A_PORT" --manifest "$work/tree.json" --dir "$static" --rewrite "$A/" "$N/"
fi

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
declare -A base=([airlock]="$A" [verdaccio]="$V" [nginx]="$N")
SERVERS=(airlock verdaccio nginx)
# CPU accounting around each measured run: Airlock's JVM, Verdaccio's node, nginx (master + workers), wrk or npm (this
# shell's children) and the whole machine, so the report can say where the cores went and whether anything else was
# using them.
tck=$(getconf CLK_TCK)
require_servers() {
  local name pid log
  for name in airlock verdaccio; do
    if [[ $name == airlock ]]; then pid=$airlock_pid log="$work/airlock.log"; else pid=$verdaccio_pid log="$vd/stdout.log"; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name (pid $pid) is no longer running; the end of its log:" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
  done
}
nginx_pids() { echo "$nginx_pid $(ps -o pid= --ppid "$nginx_pid" | tr '\n' ' ')"; }
# This machine may be shared: before each measured run wait (up to BENCH_QUIET_WAIT s) until the cores are idle, so
# other work does not land in the figures. The report still flags runs that other processes disturbed.
QUIET_WAIT="${BENCH_QUIET_WAIT:-30}"
wait_quiet() {
  local waited=0 busy pids="$airlock_pid $verdaccio_pid"
  [[ -n "$nginx_pid" ]] && pids="$pids $(nginx_pids)"
  while ((waited < QUIET_WAIT)); do
    # cores used in one second by everything except the servers
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
cpu_snapshot() { # sets $snap; must run in this shell (not in $(...)) so `times` sees wrk/npm as finished children
  local a v n=0 w m
  require_servers
  a=$(awk '{print $14+$15}' "/proc/$airlock_pid/stat")
  v=$(awk '{print $14+$15}' "/proc/$verdaccio_pid/stat")
  if [[ -n "$nginx_pid" ]]; then
    for p in $(nginx_pids); do
      n=$((n + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
  fi
  times >"$work/times.txt"
  w=$(awk 'NR==2 { split($1,u,"m"); split($2,s,"m"); printf "%.3f", u[1]*60+u[2]+s[1]*60+s[2] }' "$work/times.txt")
  m=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  snap="$a $v $n $w $m $(date +%s.%N)"
}
cpu_delta() { # before after -> JSON
  python3 - "$1" "$2" "$tck" <<'PYEOF'
import json, sys
b, a, tck = sys.argv[1].split(), sys.argv[2].split(), float(sys.argv[3])
d = [float(x) - float(y) for x, y in zip(a, b)]
print(json.dumps({"airlock_s": d[0] / tck, "verdaccio_s": d[1] / tck, "nginx_s": d[2] / tck, "wrk_s": d[3],
                  "machine_busy_s": d[4] / tck, "machine_total_s": d[5] / tck, "wall_s": d[6]}))
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
for srv in airlock verdaccio; do
  log "JIT warm-up of $srv: ${JIT_WARMUP}s of each read workload"
  for kind in "${KINDS[@]}"; do
    wrk -t"$THREADS" -c"$CONNS" -d"$JIT_WARMUP"s -s "$here/wrk/read.lua" "${base[$srv]}" -- "${list[$kind]}" \
      "${accept[$kind]}" "${encoding[$kind]}" >/dev/null
  done
done
for kind in "${KINDS[@]}"; do
  for srv in "${SERVERS[@]}"; do
    url="${base[$srv]}"
    log "$kind reads from $srv: warm-up ${WARMUP}s, then ${DURATION}s at $CONNS connections"
    wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP"s -s "$here/wrk/read.lua" "$url" -- "${list[$kind]}" "${accept[$kind]}" \
      "${encoding[$kind]}" >/dev/null
    run_wrk "read-$kind-$srv" "$url" "$CONNS" "$THREADS" "$DURATION" "${list[$kind]}" "${accept[$kind]}" "${encoding[$kind]}"
  done
done

# the frameworks' floor on this machine: an endpoint that touches neither storage nor files
echo "/-/ping" >"$work/ping.txt"
for srv in airlock verdaccio; do
  log "floor: GET /-/ping from $srv (no storage), warm-up ${WARMUP}s, then ${DURATION}s at $CONNS connections"
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP"s -s "$here/wrk/read.lua" "${base[$srv]}" -- "$work/ping.txt" application/json >/dev/null
  run_wrk "read-ping-$srv" "${base[$srv]}" "$CONNS" "$THREADS" "$DURATION" "$work/ping.txt" application/json
done

# ------------------------------------------------------------------ the 5,000-version packument, warm, sequential
if [[ "$BIG_PATH" != "/" ]]; then
  echo "$BIG_PATH" >"$work/big.txt"
  for srv in "${SERVERS[@]}"; do
    url="${base[$srv]}"
    for kind in full abbreviated full-gzip; do
      acc="${accept[${kind%-gzip}]}"; enc=""; [[ $kind == *-gzip ]] && enc="$NPM_ENCODING"
      log "$BIG_PATH ($kind) from $srv: one connection, sequential requests, warm-up 3s then 5s"
      wrk -t1 -c1 -d3s --timeout 10s -s "$here/wrk/read.lua" "$url" -- "$work/big.txt" "$acc" "$enc" >/dev/null
      run_wrk "big-$kind-$srv" "$url" 1 1 5 "$work/big.txt" "$acc" "$enc"
    done
  done
fi

# ------------------------------------------------------------------ cold npm install of the tree from each server
# A fresh project directory (the app's package.json, no lockfile) and a fresh npm cache for every install, so npm
# resolves the whole tree from the registry: abbreviated packuments, then tarballs. Servers alternate within each
# repetition (the order rotates), so slow drift of the machine lands on all three.
: >"$work/installs.jsonl"
install() { # server rep
  local srv=$1 rep=$2 dir="$work/install-$1-$2" before rc=0
  rm -rf "$dir" "$work/npm-cache"
  mkdir -p "$dir"
  cp "$work/project/package.json" "$dir/"
  wait_quiet
  cpu_snapshot; before="$snap"
  (cd "$dir" && "$NPM" install --registry "${base[$srv]}/" --cache "$work/npm-cache" --userconfig "$work/npmrc" \
    --prefer-online --no-audit --no-fund --no-update-notifier --ignore-scripts --loglevel=warn \
    >"$work/npm-$srv-$rep.log" 2>&1) || rc=$?
  cpu_snapshot
  if ((rc)); then echo "npm install from $srv failed:" >&2; tail -n 20 "$work/npm-$srv-$rep.log" >&2; exit 1; fi
  python3 - "$srv" "$rep" "$(cpu_delta "$before" "$snap")" "$dir" "$TREE_PACKAGES" "${base[$srv]}/" \
    <<'PYEOF' | tee -a "$work/installs.jsonl" >&2
import json, os, sys
srv, rep, cpu, d, want, url = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
lock = json.load(open(os.path.join(d, "node_modules", ".package-lock.json")))["packages"]
added = sum(1 for p in lock if p)
if added != want:
    sys.exit("npm installed %d packages from %s, expected %d" % (added, srv, want))
elsewhere = [v["resolved"] for p, v in lock.items() if p and not v.get("resolved", "").startswith(url)]
if elsewhere:  # every tarball must have come from the server measured (nginx: the rewritten URLs)
    sys.exit("npm fetched %d tarballs from elsewhere than %s: %s" % (len(elsewhere), url, elsewhere[:3]))
ours = cpu["airlock_s"] + cpu["verdaccio_s"] + cpu["nginx_s"] + cpu["wrk_s"]
print(json.dumps({"server": srv, "rep": rep, "wall_s": round(cpu["wall_s"], 3), "npm_cpu_s": round(cpu["wrk_s"], 2),
                  "server_cpu_s": round(cpu[srv + "_s"], 2),
                  "other_cpu_s": round(max(0.0, cpu["machine_busy_s"] - ours), 2),
                  "idle_s": round(cpu["machine_total_s"] - cpu["machine_busy_s"], 2), "added": added}))
PYEOF
  rm -rf "$dir"
}
if ((INSTALL_REPS > 0)); then
  : >"$work/npmrc"
  log "cold npm install of the $TREE_PACKAGES-package tree: one discarded install from nginx (npm's own files warm)"
  install nginx 0
  : >"$work/installs.jsonl"
  for rep in $(seq "$INSTALL_REPS"); do
    order=("${SERVERS[@]:$(((rep - 1) % 3))}" "${SERVERS[@]:0:$(((rep - 1) % 3))}")
    for srv in "${order[@]}"; do
      log "install $rep/$INSTALL_REPS from $srv"
      install "$srv" "$rep"
    done
  done
fi

# ------------------------------------------------------------------ concurrent publish
BODIES=$(( PUB_CLIENTS * 150 * DURATION ))
((BODIES < 4000)) && BODIES=4000
pub_threads=$THREADS; ((PUB_CLIENTS < THREADS)) && pub_threads=$PUB_CLIENTS
for srv in airlock verdaccio; do
  log "publish to $srv: $PUB_CLIENTS concurrent clients for ${DURATION}s ($BODIES pre-generated new versions available)"
  tok="$TOKEN"; [[ $srv == verdaccio ]] && tok="$V_TOKEN"
  "${PY[@]}" bodies --manifest "$work/loaded.json" --count "$BODIES" --registry "${base[$srv]}/" --out "$work/bodies.txt"
  wait_quiet
  cpu_snapshot; before="$snap"
  wrk -t"$pub_threads" -c"$PUB_CLIENTS" -d"$DURATION"s --timeout 30s -s "$here/wrk/publish.lua" "${base[$srv]}" -- \
    "$work/bodies.txt" "$tok" "$pub_threads" >"$work/publish-$srv.out"
  cpu_snapshot
  tail -n 1 "$work/publish-$srv.out" >"$work/publish-$srv.json"
  cpu_delta "$before" "$snap" >"$work/publish-$srv.cpu.json"
  cat "$work/publish-$srv.json" >&2
done
rm -f "$work/bodies.txt"

# ------------------------------------------------------------------ RSS and report
sleep 1
require_servers
rss_of() { awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "{\"rss_mib\": %.1f, \"hwm_mib\": %.1f}", r/1024, h/1024}' \
  "/proc/$1/status"; }
rss_airlock="$(rss_of "$airlock_pid")"
rss_verdaccio="$(rss_of "$verdaccio_pid")"
rss_nginx="$(for p in $(nginx_pids); do awk '/^VmRSS/ {print $2}' "/proc/$p/status"; done |
  awk '{s+=$1} END {printf "{\"rss_mib\": %.1f, \"hwm_mib\": null}", s/1024}')"
echo "RSS after the load: Airlock $rss_airlock, Verdaccio $rss_verdaccio, nginx (all processes) $rss_nginx" >&2
{ # where Airlock's memory is: JVM heap, and the JVM's own accounting when started with -XX:NativeMemoryTracking=summary
  echo "# /proc/$airlock_pid/status"; grep -E '^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem|Threads)' "/proc/$airlock_pid/status"
  if command -v jcmd >/dev/null; then
    echo "# jcmd GC.heap_info"; jcmd "$airlock_pid" GC.heap_info 2>&1 | tail -n +2
    if grep -q NativeMemoryTracking "/proc/$airlock_pid/cmdline"; then
      echo "# jcmd VM.native_memory summary"; jcmd "$airlock_pid" VM.native_memory summary 2>&1 | tail -n +2
    fi
  fi
  echo "# Verdaccio: /proc/$verdaccio_pid/status"
  grep -E '^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem|Threads)' "/proc/$verdaccio_pid/status"
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
        p = subprocess.run(a, capture_output=True, text=True)
        return (p.stderr.strip() or p.stdout.strip() or "")
    except OSError:
        return ""
def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2.0
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next(int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal"))
loaded = json.load(open(os.path.join(work, "loaded.json")))
servers = ("airlock", "verdaccio", "nginx")
installs = {}
reps = [json.loads(l) for l in open(os.path.join(work, "installs.jsonl")) if l.strip()]
if reps:
    installs = {"packages": $TREE_PACKAGES,
                "npm": subprocess.run(["$NPM", "--version"], capture_output=True, text=True).stdout.strip(), "lockfile": False, "repetitions": $INSTALL_REPS}
    for s in servers:
        mine = [x for x in reps if x["server"] == s]
        installs[s] = {"reps": mine, "median_s": median([x["wall_s"] for x in mine]),
                       "server_cpu_s": median([x["server_cpu_s"] for x in mine]),
                       "npm_cpu_s": median([x["npm_cpu_s"] for x in mine])}
r = {
  "date": "$stamp",
  "machine": {"cpu": cpu, "nproc": os.cpu_count(), "mem_mib": mem, "kernel": platform.release(),
              "java": cmd("java", "-version").splitlines()[0], "wrk": "4.x (Debian)",
              "nginx": cmd("$NGINX", "-v").replace("nginx version: ", ""),
              "data_fs": subprocess.run(["df", "-T", work], capture_output=True, text=True).stdout.splitlines()[-1].split()[1],
              "loadavg_at_start": "$loadavg_start".split(),
              "loadavg_at_end": open("/proc/loadavg").read().split()[:3]},
  "airlock_cmdline": """$java_opts""".strip(),
  "verdaccio": {"version": "$V_VERSION", "node": cmd("node", "--version"),
                "average_document_bytes": json.load(open(os.path.join(work, "doc-sizes.json")))},
  "wrk": {"threads": $THREADS, "connections": $CONNS, "duration_s": $DURATION, "warmup_s": $WARMUP,
          "jit_warmup_s": $JIT_WARMUP,
          "publish_clients": $PUB_CLIENTS},
  "load": {"airlock": loaded["stats"],
           "verdaccio": json.load(open(os.path.join(work, "loaded-verdaccio.json")))["stats"]},
  "reads": {k: {s: j("read-%s-%s" % (k, s)) for s in servers}
            for k in ("abbreviated", "full", "tarball", "abbreviated-gzip", "ping")},
  "big": {s: {k: j("big-%s-%s" % (k, s)) for k in ("full", "abbreviated", "full-gzip")} for s in servers},
  "big_bytes": {k + suffix.replace(".", "-"): os.path.getsize(os.path.join(work, "static", k, loaded["big"], "index.json" + suffix))
                if loaded["big"] else None for k in ("full", "abbr") for suffix in ("", ".gz")},
  "publish": {s: j("publish-%s" % s) for s in ("airlock", "verdaccio")},
  "installs": installs,
  "rss": {"airlock": $rss_airlock, "verdaccio": $rss_verdaccio, "nginx": json.loads('$rss_nginx')},
}
json.dump(r, open(out, "w"), indent=2)
EOF
"${PY[@]}" report --results "$OUT/results.json" --text "$OUT/results.txt"
echo "results: $OUT/results.json, $OUT/results.txt" >&2
if [[ -n "$WITH_PROXY" ]]; then
  log "the upstream proxy: bench/proxy.sh"
  BENCH_OUT="$OUT" bash "$here/proxy.sh"
fi
