#!/usr/bin/env bash
# What a stranger on the network does to a store replica's link port (issue 10): starts one
# `craton store` on loopback, reads its RSS, then, each from its own connection:
#   1. the 32-byte BASP header of issue 10 (operation 0, ids 2^64-1, payload length CLAIM),
#      followed by nothing: the claim alone;
#   2. IDLE connections that send nothing;
# and reports the replica's RSS and open connections after a few seconds, and whether it
# still answers `craton store status`. A fixed transport must keep RSS within a small stated
# bound (issue 10: +16 MiB) and drop the idle connections after its handshake timeout. Not a
# test: it prints figures and never fails on them (tests/store/store_link_attack_process_test.sh
# is the test).
#
#   bench/link_stranger.sh CRATON [--claim-mib 4096] [--idle 200] [--wait-s 10]
#
# (4096 MiB is sent as 0xffffffff, issue 10's packet. Measured on the CAF middleman, 5 Dec
# 2026: RSS 13 -> 2,948 MiB within 8 s and no answer to `store status`; a 256 MiB claim showed
# no growth in 8 s; 200 idle connections were all still held. On our TLS transport, same day:
# RSS 16 -> 18 MiB, 0 connections held after 10 s, `store status` answers.)
#
# Every wait is bounded; the replica and the connections are gone on exit.
set -u
CRATON=$(readlink -f "$1")
shift
CLAIM_MIB=4096
IDLE=200
WAIT_S=10
while [ $# -gt 0 ]; do
  case "$1" in
    --claim-mib) CLAIM_MIB=$2; shift 2 ;;
    --idle) IDLE=$2; shift 2 ;;
    --wait-s) WAIT_S=$2; shift 2 ;;
    *) echo "link_stranger: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
WORK=$(mktemp -d /tmp/craton-stranger.XXXXXX)
PIDS=()
# shellcheck source=../tests/store/process_lib.sh
source "$(dirname "$0")/../tests/store/process_lib.sh"

pick_ports 1
STORE="127.0.0.1:$BASE"
"$CRATON" store --data "$WORK/d" --listen "$STORE" >"$WORK/r.log" 2>&1 &
REPLICA=$!
PIDS+=($REPLICA)
wait_leader "1=$STORE" >/dev/null || fail "the replica did not start"
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$REPLICA/status"; }
conns() { ss -Htn state established "sport = :$BASE" | wc -l; }
echo "replica pid $REPLICA on $STORE: RSS $(rss) MiB, $(conns) connections"

cat >"$WORK/stranger.py" <<'PY'
import socket, struct, sys, time
port, claim_mib, idle, wait_s = (int(x) for x in sys.argv[1:])
held = []
s = socket.create_connection(("127.0.0.1", port))
s.sendall(struct.pack(">BBBBIQQQ", 0, 0, 0, 0, min(claim_mib << 20, 0xffffffff),
                      2**64 - 1, 2**64 - 1, 2**64 - 1))
held.append(s)
for _ in range(idle):
    try:
        held.append(socket.create_connection(("127.0.0.1", port), timeout=2))
    except OSError:
        break
time.sleep(wait_s + 5)
PY
python3 "$WORK/stranger.py" "$BASE" "$CLAIM_MIB" "$IDLE" "$WAIT_S" 2>/dev/null &
PIDS+=($!)
sleep "$WAIT_S"
status="no answer"
"$CRATON" store status --endpoints "1=$STORE" --timeout-ms 2000 >/dev/null 2>&1 && status="answers"
echo "after a ${CLAIM_MIB} MiB claim and $IDLE idle connections, ${WAIT_S} s later:" \
  "RSS $(rss) MiB, $(conns) connections held, store status: $status"
