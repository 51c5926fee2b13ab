#!/bin/sh
# The pools' A/B, as before tools/ab_eltwise.sh took the FC too: tools/ab_pool.sh REV [N [C [ISA]]].
exec "$(dirname "$0")/ab_eltwise.sh" pool "$@"
