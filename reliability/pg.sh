#!/usr/bin/env bash
# PostgreSQL restarts under load: three clients publish and one reads while a PostgreSQL server of the scenario's own
# (initdb in a temp directory, a free port) is restarted N times, in turn gracefully (pg_ctl -m fast) and as a crash
# (-m immediate). Every answer is a success or a 503 saying the database cannot be reached; Airlock recovers by
# itself; nothing acknowledged lost, nothing partial, no orphan after the sweep, the audit log verifies.
# Needs Debian's postgresql package. Exit 1 when a criterion fails.
#   reliability/pg.sh [--rounds N]
source "$(dirname "${BASH_SOURCE[0]}")/fault-common.sh"
fault_run PgRestartScenario "$@"
