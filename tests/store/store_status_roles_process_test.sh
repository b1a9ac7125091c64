#!/usr/bin/env bash
# Every role `craton store status` prints is documented in docs/store.md's role table: the
# roles are the Raft core's (to_string(Role) in actors/store/raft/raft.cpp) plus "learner"; and
# one is seen for real: the only running member of a three-member cluster cannot win a pre-vote
# and reports `pre_candidate`.
#
#   store_status_roles_process_test.sh CRATON SOURCE_DIR
#
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
SRC=$2
WORK=$(mktemp -d /tmp/craton-store-roles.XXXXXX)
PIDS=()

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"

doc="$SRC/docs/store.md"
roles=$(sed -n '/^const char\* to_string(Role role)/,/^}/p' "$SRC/actors/store/raft/raft.cpp" |
  sed -n 's/^ *return "\([a-z_]*\)";/\1/p')
[ "$(echo "$roles" | wc -l)" -ge 4 ] || fail "cannot read the roles from raft.cpp: '$roles'"
for role in $roles learner; do
  grep -q "^| \`$role\` |" "$doc" || fail "role $role is not in the role table of docs/store.md"
done
echo "documented roles: $(echo $roles) learner"

pick_ports 3
PEERS="1=127.0.0.1:$BASE,2=127.0.0.1:$((BASE + 1)),3=127.0.0.1:$((BASE + 2))"
"$CRATON" store --id 1 --peers "$PEERS" --data "$WORK/d1" --tick-ms 20 >>"$WORK/r1.log" 2>&1 &
PIDS+=($!)
seen=""
for _ in $(seq 1 100); do
  seen=$("$CRATON" store status --endpoints "1=127.0.0.1:$BASE" --timeout-ms 500 --json \
    2>/dev/null | python3 -c 'import json,sys
try: print(json.load(sys.stdin)[0].get("role", ""))
except Exception: print("")')
  [ "$seen" = pre_candidate ] && break
  sleep 0.1
done
[ "$seen" = pre_candidate ] || fail "a lone member of three reports '$seen', not pre_candidate"
"$CRATON" store status --endpoints "1=127.0.0.1:$BASE" | grep -q pre_candidate ||
  fail "the status table does not show pre_candidate"
echo "status roles: ok"
