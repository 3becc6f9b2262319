#!/usr/bin/env bash
# SIGKILL at random points during publish, stage and approve (TOTP), then a restart on the same data, N times
# (default 50). After each restart: nothing acknowledged lost, nothing partial; at the end the orphan sweep leaves no
# orphan, SQLite's integrity check passes and the audit log verifies. Exit 1 when a criterion fails.
#   reliability/kill.sh [--rounds N]
source "$(dirname "${BASH_SOURCE[0]}")/fault-common.sh"
fault_run KillScenario "$@"
