#!/usr/bin/env bash
# The four checkpoints in the handout's order; exit 1 if any failed.
set -uo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rc=0
for cp in cp1-stp cp2-vrrp cp3-service cp4-vxlan; do "$dir/$cp.sh" || rc=1; done
[ "$rc" = 0 ] && echo "all checkpoints passed" || echo "some checkpoints failed"
exit "$rc"
