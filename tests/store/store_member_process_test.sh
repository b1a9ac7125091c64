#!/usr/bin/env bash
# Real-process test of membership and leader transfer through the craton binary:
#
#   three replicas and a writing client; a fourth replica is added as a learner, started with
#   --join and promoted once caught up; one of the original three (not the leader) is removed
#   and exits by itself; the leader gets SIGTERM and hands leadership over: a new leader at
#   term + 1 (no election timeout: the old leader logs the handover to that replica), and
#   every acknowledged write is present on the remaining members.
#
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-store-member.XXXXXX)
PIDS=()

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"
pick_ports 4

addr() { echo "127.0.0.1:$((BASE + $1 - 1))"; }
PEERS="1=$(addr 1),2=$(addr 2),3=$(addr 3)"
ALL="$PEERS,4=$(addr 4)"

start_replica() {  # id flags...
  local id=$1
  shift
  "$CRATON" store --id "$id" --data "$WORK/d$id" --tick-ms 50 "$@" >>"$WORK/r$id.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$id=$!"
}

status_field() {  # endpoints field -> "id:value" per answering member
  "$CRATON" store status --endpoints "$1" --timeout-ms 500 --json 2>/dev/null |
    python3 -c 'import json,sys
try:
  for x in json.load(sys.stdin):
    if "id" in x: print("%s:%s" % (x["id"], x.get(sys.argv[1])))
except Exception: pass' "$2"
}

wait_exit() {  # pid seconds -> exit status (fails the test if it never exits)
  for _ in $(seq 1 $(($2 * 10))); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$1" 2>/dev/null && return 99
  wait "$1"
}

for id in 1 2 3; do start_replica "$id" --peers "$PEERS"; done
read -r lead term < <(wait_leader "$PEERS") || fail "no leader among three replicas"
echo "leader: $lead (term $term)"

start_writer "$ALL"
for _ in $(seq 1 100); do [ "$(acked_count)" -ge 10 ] && break; sleep 0.1; done
[ "$(acked_count)" -ge 10 ] || fail "writer made no progress"

# Bare h:p endpoints: the client asks the replica for its id (replica 2 is not the first id).
out=$("$CRATON" store member list --endpoints "$(addr 2)" --json) || fail "member list: $out"
echo "$out" | python3 -c 'import json,sys; m=json.load(sys.stdin)["members"]; assert [x["id"] for x in m]==[1,2,3], m' ||
  fail "member list through a bare endpoint: $out"

# Refusals: one line, non-zero exit, nothing changed.
"$CRATON" store member add 2 "$(addr 4)" --endpoints "$PEERS" 2>"$WORK/err" && fail "duplicate id accepted"
[ "$(wc -l <"$WORK/err")" = 1 ] && grep -q member_exists "$WORK/err" || fail "duplicate id: $(cat "$WORK/err")"
"$CRATON" store member remove 9 --endpoints "$PEERS" 2>"$WORK/err" && fail "unknown member removed"
grep -q member_unknown "$WORK/err" || fail "unknown member: $(cat "$WORK/err")"
"$CRATON" store member add 5 nonsense --endpoints "$PEERS" 2>"$WORK/err" && fail "bad address accepted"
grep -q bad_address "$WORK/err" || fail "bad address: $(cat "$WORK/err")"
"$CRATON" store member add x y --endpoints "$PEERS" 2>/dev/null
[ $? = 2 ] || fail "bad member id did not exit 2"

# Add replica 4 as a learner, start it with --join, promote it once it has caught up.
"$CRATON" store member add 4 "$(addr 4)" --learner --endpoints "$PEERS" || fail "member add"
start_replica 4 --join "$PEERS" --listen "$(addr 4)"
promoted=""
for _ in $(seq 1 100); do
  if "$CRATON" store member promote 4 --endpoints "$ALL" >/dev/null 2>"$WORK/err"; then promoted=1; break; fi
  grep -q learner_not_ready "$WORK/err" || fail "promote: $(cat "$WORK/err")"
  sleep 0.1
done
[ -n "$promoted" ] || fail "learner 4 never promoted"
echo "member 4 joined and promoted"
for _ in $(seq 1 50); do
  role=$(status_field "4=$(addr 4)" role)
  [ "$role" = "4:follower" ] || [ "$role" = "4:leader" ] && break
  sleep 0.1
done
[ "$role" = "4:follower" ] || [ "$role" = "4:leader" ] || fail "replica 4 is '$role' after promotion"

# Remove one of the original three that does not lead: it stops by itself (exit 0).
read -r lead term < <(wait_leader "$ALL") || fail "no leader before removal"
gone=1; [ "$lead" = 1 ] && gone=2
"$CRATON" store member remove "$gone" --endpoints "$ALL" || fail "member remove $gone"
eval "gone_pid=\$PID_$gone"
wait_exit "$gone_pid" 10; rc=$?
[ "$rc" = 0 ] || fail "removed replica $gone exited with $rc"
echo "member $gone removed and stopped"
out=$("$CRATON" store member list --endpoints "$ALL" --json) || fail "member list after removal"
echo "$out" | python3 -c 'import json,sys; m=json.load(sys.stdin)["members"]; assert len(m)==3 and all(not x["learner"] for x in m), m' ||
  fail "membership after removal: $out"

# Graceful shutdown of the leader: leadership moves without an election timeout.
read -r lead term < <(wait_leader "$ALL") || fail "no leader before SIGTERM"
eval "lead_pid=\$PID_$lead"
t0=$(date +%s%N)
kill -TERM "$lead_pid"
wait_exit "$lead_pid" 10; rc=$?
[ "$rc" = 0 ] || fail "leader exited with $rc after SIGTERM"
t_exit=$(date +%s%N)
REST=$(echo "$ALL" | tr ',' '\n' | grep -v "^$lead=" | grep -v "^$gone=" | paste -sd,)
read -r new_lead new_term < <(wait_leader "$REST") || fail "no leader after the leader's SIGTERM"
t1=$(date +%s%N)
echo "SIGTERM to leader $lead (term $term): exited after $(((t_exit - t0) / 1000000)) ms;" \
  "replica $new_lead leads at term $new_term, seen $(((t1 - t_exit) / 1000000)) ms later"
[ "$new_term" = $((term + 1)) ] || fail "new term $new_term, expected $((term + 1))"
grep -q "leadership handed to replica $new_lead" "$WORK/r$lead.log" ||
  fail "the old leader did not hand leadership to $new_lead"

sleep 1
stop_writer
acked=$(acked_count)
check_acked_present "$REST"
echo "member: ok ($acked acknowledged writes present)"
