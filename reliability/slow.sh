#!/usr/bin/env bash
# Slow and hostile clients (slowloris headers, publish bodies at 4 B/s, thousands of idle connections, a 1 MiB
# tarball read at 1 KiB/s) against one server with idleTimeout 5 s while a normal client reads: no error for it, p99
# within max(5 x baseline, baseline + 50 ms), slow bodies and idle connections cut, the slow reader not. Exit 1 when a
# criterion fails. --whole lets the reader take the whole tarball (about 17 minutes at 1 KiB/s).
#   reliability/slow.sh [--idle-seconds N] [--attack-seconds N] [--idle-connections N] [--slowloris N]
#                       [--slow-bodies N] [--whole]
source "$(dirname "${BASH_SOURCE[0]}")/fault-common.sh"
fault_run SlowClientScenario "$@"
