#!/usr/bin/env bash
# SQLite busy: another connection holds the write lock (BEGIN IMMEDIATE) for a few seconds while clients publish:
# publishes wait and succeed, reads go on, nothing partial, integrity_check ok. Exit 1 when a criterion fails.
# (PostgreSQL restarts are not covered yet.)
#   reliability/db.sh [--hold-seconds N]
source "$(dirname "${BASH_SOURCE[0]}")/fault-common.sh"
fault_run DatabaseFaultScenario "$@"
