#!/usr/bin/env bash
# Airlock reliability runner: the one entry point for the endurance and fault scenarios (docs/reliability.md).
#
#   reliability/run.sh soak [--minutes N] [--rate R] [--warmup S] [--npm-every S]
#       a fixed mixed rate (R ops/s, 20) for N minutes (30) against a fresh Airlock process: installs, publishes,
#       stages, approvals with TOTP, couch and web logins, token use, console pages, and a real npm install every
#       S seconds (60). Prints figures every minute and at the end; exits 1 when a criterion fails.
#   reliability/run.sh kill|disk|slow|db|pg [ARGS]   the fault scenarios (reliability/<scenario>.sh)
#   reliability/run.sh all                        every scenario's short form, one after the other
#
# Everything runs on 127.0.0.1 with a random free port and a temp directory; everything started here is stopped at
# exit. Knobs (environment): AIRLOCK_JAVA_OPTS (the server's JVM flags; the launcher's defaults otherwise),
# RELIABILITY_KEEP=1 (keep the temp directory and the server log).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ------------------------------------------------------------------ build (jar and the driver's test classes)
build() {
  cd "$root"
  if [[ ! -f target/airlock.jar ]] || [[ -n "$(find src/main pom.xml -newer target/airlock.jar -print -quit)" ]]; then
    echo "== building target/airlock.jar" >&2
    mvn -B -q -DskipTests -Dimage.skip=true package >&2
  fi
  if [[ ! -f target/test-classes/dev/airlock/reliability/SoakDriver.class ]] \
    || [[ -n "$(find src/test/java/dev/airlock/reliability src/test/java/dev/airlock/testing -newer \
      target/test-classes/dev/airlock/reliability/SoakDriver.class -print -quit)" ]]; then
    echo "== compiling the load driver (mvn test-compile)" >&2
    mvn -B -q test-compile >&2
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ------------------------------------------------------------------ the soak
soak() {
  local minutes=30 rate=20 warmup="" npm_every=""
  while (($#)); do
    case "$1" in
      --minutes) minutes="$2"; shift 2 ;;
      --rate) rate="$2"; shift 2 ;;
      --warmup) warmup="$2"; shift 2 ;;
      --npm-every) npm_every="$2"; shift 2 ;;
      *) echo "soak: unknown option $1" >&2; usage ;;
    esac
  done
  build
  work="$(mktemp -d "${TMPDIR:-/tmp}/airlock-soak.XXXXXX")"
  port="$(free_port)"
  echo "== starting Airlock on 127.0.0.1:$port (data $work/data, log $work/airlock.log)" >&2
  AIRLOCK_AUTH_ALLOW_SIGNUP=true "$root/airlock" serve --data "$work/data" --host 127.0.0.1 --port "$port" \
    >"$work/airlock.log" 2>&1 &
  airlock_pid=$!  # the launcher execs java: this is the JVM, whose /proc entries the driver reads
  for _ in $(seq 600); do
    curl -fsS "http://127.0.0.1:$port/-/health/ready" >/dev/null 2>&1 && break
    kill -0 "$airlock_pid" 2>/dev/null || { tail -n 40 "$work/airlock.log" >&2; exit 1; }
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$port/-/health/ready" >/dev/null || { echo "Airlock did not become ready" >&2; exit 1; }
  echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the soak" >&2
  local args=(--url "http://127.0.0.1:$port/" --pid "$airlock_pid" --seconds "$((minutes * 60))" --rate "$rate"
    --work "$work")
  [[ -n "$warmup" ]] && args+=(--warmup "$warmup")
  [[ -n "$npm_every" ]] && args+=(--npm-every "$npm_every")
  local rc=0
  (cd "$root" && java -Xmx256m -cp "target/test-classes:target/airlock.jar" dev.airlock.reliability.SoakDriver \
    "${args[@]}") || rc=$?
  echo "== machine: load average $(cut -d' ' -f1-3 /proc/loadavg) after the soak" >&2
  if ! kill -0 "$airlock_pid" 2>/dev/null; then
    echo "FAIL the server exited during the soak; the end of its log:" >&2
    tail -n 40 "$work/airlock.log" >&2
    rc=1
  elif grep -q " ERROR " "$work/airlock.log"; then
    echo "note: the server logged errors (first lines):" >&2
    grep " ERROR " "$work/airlock.log" | head -n 5 >&2
  fi
  return "$rc"
}

# ------------------------------------------------------------------ cleanup
work=""
airlock_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$airlock_pid" ]] && kill -0 "$airlock_pid" 2>/dev/null; then
    kill -TERM "$airlock_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$airlock_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$airlock_pid" 2>/dev/null || true
  fi
  if [[ -n "$work" ]]; then
    if [[ -z "${RELIABILITY_KEEP:-}" ]]; then rm -rf "$work"; else echo "kept $work" >&2; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ dispatch
scenario() {
  local name="$1"
  shift
  if [[ ! -x "$here/$name.sh" && ! -f "$here/$name.sh" ]]; then
    echo "reliability/run.sh: the '$name' scenario is not in this tree (reliability/$name.sh is missing)" >&2
    return 3
  fi
  bash "$here/$name.sh" "$@"
}

cmd="${1:-}"
[[ -n "$cmd" ]] || usage
shift
case "$cmd" in
  soak) soak "$@" ;;
  kill | disk | slow | db | pg) scenario "$cmd" "$@" ;;
  all)
    # the short forms: a 3-minute soak (1 of warm-up), then each fault scenario (kill with 3 rounds, not 50)
    failed=()
    bash "${BASH_SOURCE[0]}" soak --minutes 3 --warmup 60 --npm-every 30 || failed+=(soak)
    for s in kill disk slow db pg; do
      echo "== $s" >&2
      src=0
      if [[ "$s" == kill ]]; then scenario kill --rounds 3 || src=$?; elif [[ "$s" == pg ]]; then scenario pg --rounds 2 || src=$?; else scenario "$s" || src=$?; fi
      if ((src == 3)); then echo "   (skipped: not present)" >&2; elif ((src != 0)); then failed+=("$s"); fi
    done
    if ((${#failed[@]})); then echo "FAIL scenarios: ${failed[*]}" >&2; exit 1; fi
    echo "PASS every scenario present" >&2
    ;;
  -h | --help | help) usage ;;
  *) echo "reliability/run.sh: unknown scenario '$cmd'" >&2; usage ;;
esac
