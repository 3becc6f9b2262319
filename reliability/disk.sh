#!/usr/bin/env bash
# The data directory on a small tmpfs, filled while the server runs: publishes fail with 507 and "the registry's disk
# is full", nothing partial is stored, reads go on, and publishes succeed again once space returns (no restart).
# Needs root (mount -t tmpfs). Exit 1 when a criterion fails.
#   reliability/disk.sh
source "$(dirname "${BASH_SOURCE[0]}")/fault-common.sh"
fault_run DiskFullScenario "$@"
