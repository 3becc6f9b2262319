#!/usr/bin/env bash
# Profiles Airlock's hot paths with async-profiler: starts a server from target/airlock.jar on a fresh data directory,
# loads a few packages with bench/airlock_bench.py, then for each workload runs wrk while async-profiler samples CPU,
# and writes one flame graph (HTML) per workload. See docs/profiles.md.
#
#   scripts/profile.sh [OUT_DIR]          (default target/profiles)
#
# Environment: AIRLOCK_JAR (default target/airlock.jar) or AIRLOCK_CLASSPATH (run from classes), PROFILE_SECONDS (wrk run per workload, default 8), PROFILE_CONNECTIONS (default 64),
# PROFILE_WORKLOADS (default "tarball abbreviated full publish"), ASYNC_PROFILER (path of libasyncProfiler.so; by
# default taken from Maven Central's tools.profiler:async-profiler jar), AIRLOCK_JAVA_OPTS (JVM flags).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(realpath -m "${1:-$here/target/profiles}")"
secs="${PROFILE_SECONDS:-8}"
conns="${PROFILE_CONNECTIONS:-64}"
workloads="${PROFILE_WORKLOADS:-tarball abbreviated full publish}"
mkdir -p "$out"

lib="${ASYNC_PROFILER:-}"
if [[ -z "$lib" ]]; then
  ver=4.1
  apjar="$HOME/.m2/repository/tools/profiler/async-profiler/$ver/async-profiler-$ver.jar"
  [[ -f "$apjar" ]] || mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$ver" >&2
  mkdir -p "$here/target/async-profiler"
  (cd "$here/target/async-profiler" && unzip -o -q "$apjar" 'linux-x64/*')
  lib="$here/target/async-profiler/linux-x64/libasyncProfiler.so"
fi
jar="${AIRLOCK_JAR:-$here/target/airlock.jar}"
if [[ -n "${AIRLOCK_CLASSPATH:-}" ]]; then
  launch=(-cp "$AIRLOCK_CLASSPATH" dev.airlock.Airlock) # e.g. target/classes:$(cat classpath.txt), no shaded jar needed
else
  [[ -f "$jar" ]] || (cd "$here" && mvn -B -q -DskipTests -Dimage.skip=true package >&2)
  launch=(-jar "$jar")
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/airlock-profile.XXXXXX")"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
opts="${AIRLOCK_JAVA_OPTS:--Xmx80m -XX:NewRatio=3 -XX:+UseSerialGC}"
# shellcheck disable=SC2086
java $opts -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints "${launch[@]}" \
  serve --data "$work/data" --port "$port" >"$work/airlock.log" 2>&1 &
pid=$!
for _ in $(seq 600); do grep -q "Airlock listening on" "$work/airlock.log" && break; sleep 0.1; done
grep -q "Airlock listening on" "$work/airlock.log" || { cat "$work/airlock.log" >&2; exit 1; }
py=(python3 "$here/bench/airlock_bench.py")
pw="profile-$RANDOM$RANDOM"
echo "$pw" | java "${launch[@]}" user add bench --email bench@example.test --password-stdin \
  --data "$work/data" >&2
token="$("${py[@]}" login --port "$port" --password "$pw")"
"${py[@]}" load --port "$port" --token "$token" --packages 60 --big-versions 0 --out "$work/loaded.json"
"${py[@]}" export --port "$port" --manifest "$work/loaded.json" --dir "$work/static" --tarball-list "$work/tarballs.txt"
"${py[@]}" urls --manifest "$work/loaded.json" --out "$work/packuments.txt"
"${py[@]}" bodies --manifest "$work/loaded.json" --count 30000 --out "$work/bodies-all.txt"
# the warm-up run and the measured run each get their own bodies (wrk starts each run at the first line)
head -n 10000 "$work/bodies-all.txt" >"$work/bodies-warm.txt"
tail -n +10001 "$work/bodies-all.txt" >"$work/bodies.txt"

base="http://127.0.0.1:$port"
run() { # name, wrk args...
  local name="$1"; shift
  local args=("$@")
  [[ "$name" == publish ]] && args=("${args[@]/bodies.txt/bodies-warm.txt}")
  wrk -t2 -c"$conns" -d3s "${args[@]}" >/dev/null # JIT warm-up
  # the options are quoted once more: jcmd would otherwise read "start,event=..." as its own name=value argument
  jcmd "$pid" JVMTI.agent_load "$lib" "\"start,event=${PROFILE_EVENT:-itimer},interval=997us\"" >/dev/null
  local t0 t1
  t0="$(awk '{print $14+$15}' "/proc/$pid/stat")"
  wrk -t2 -c"$conns" -d"${secs}s" "$@" | tail -1 | tee "$out/$name.json"
  t1="$(awk '{print $14+$15}' "/proc/$pid/stat")"
  jcmd "$pid" JVMTI.agent_load "$lib" "\"dump,collapsed,file=$out/$name.collapsed\"" >/dev/null
  jcmd "$pid" JVMTI.agent_load "$lib" "\"stop,file=$out/$name.html,title=$name\"" >/dev/null
  python3 - "$out/$name.json" "$t0" "$t1" <<'EOF'
import json, os, sys
f, t0, t1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = json.load(open(f))
cpu_ms = (t1 - t0) * 1000 / os.sysconf("SC_CLK_TCK")
d["server_cpu_us_per_request"] = round(cpu_ms * 1000 / max(d["requests"], 1), 1)
json.dump(d, open(f, "w"))
print("  server CPU per request: %s us" % d["server_cpu_us_per_request"], file=sys.stderr)
EOF
}
for w in $workloads; do
  case "$w" in
    tarball) run tarball -s "$here/bench/wrk/read.lua" "$base" -- "$work/tarballs.txt" "*/*" ;;
    abbreviated) run abbreviated -s "$here/bench/wrk/read.lua" "$base" -- "$work/packuments.txt" \
      "application/vnd.npm.install-v1+json" ;;
    full) run full -s "$here/bench/wrk/read.lua" "$base" -- "$work/packuments.txt" "application/json" ;;
    publish) conns=8 run publish -s "$here/bench/wrk/publish.lua" "$base" -- "$work/bodies.txt" "$token" 2 ;;
    *) echo "unknown workload $w" >&2; exit 2 ;;
  esac
done
echo "flame graphs in $out" >&2
