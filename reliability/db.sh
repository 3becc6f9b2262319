#!/usr/bin/env bash
# SQLite busy: another connection holds the write lock (BEGIN IMMEDIATE) for a few seconds while clients publish:
# publishes wait and succeed, reads go on; then a lock held beyond the server's wait (database.busyTimeout) makes a
# publish fail with 503 and nothing stored, and the same publish succeeds after. Nothing partial, integrity_check
# ok. Exit 1 when a criterion fails. (PostgreSQL restarts: reliability/pg.sh.)
#   reliability/db.sh [--hold-seconds N]
source "$(dirname "${BASH_SOURCE[0]}")/fault-common.sh"
fault_run DatabaseFaultScenario "$@"
