# Shared by the fault scenarios (kill.sh, disk.sh, slow.sh, db.sh): builds the jar and the scenario classes when
# their sources are newer, then runs one scenario class with the test classpath. Sourced, not run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

fault_build() {
  cd "$root"
  if [[ ! -f target/airlock.jar ]] || [[ -n "$(find src/main pom.xml -newer target/airlock.jar -print -quit)" ]]; then
    echo "== building target/airlock.jar" >&2
    mvn -B -q -DskipTests -Dimage.skip=true package >&2
  fi
  local marker=target/test-classes/dev/airlock/reliability/FaultServer.class
  if [[ ! -f "$marker" ]] || [[ -n "$(find src/test/java/dev/airlock/reliability src/test/java/dev/airlock/testing \
    -newer "$marker" -print -quit)" ]]; then
    echo "== compiling the fault scenarios (mvn test-compile)" >&2
    mvn -B -q test-compile >&2
  fi
}

# fault_run CLASS ARGS...: the scenario prints its figures and exits 1 when a criterion fails
fault_run() {
  local cls="$1"
  shift
  fault_build
  cd "$root"
  java -Xmx256m -cp "target/test-classes:target/airlock.jar" "dev.airlock.reliability.$cls" "$@"
}
