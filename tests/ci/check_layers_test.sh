#!/usr/bin/env bash
# .ci/check-layers on small trees: passes on a clean one, and fails, naming the file, on each
# kind of violation it exists to catch.
set -euo pipefail
check="$(cd "$(dirname "$0")/../.." && pwd)/.ci/check-layers"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tree() {  # a fresh minimal tree that obeys every rule
  rm -rf "$work/t" && mkdir -p "$work/t"/{runtime,storage,actors/store/raft,actors/store/replica,actors/store/client,actors/api,sim}
  cd "$work/t"
  echo '#pragma once' > runtime/result.hpp
  echo '#include <caf/all.hpp>' > runtime/environment.hpp
  echo '#include "runtime/result.hpp"' > storage/lmdb_env.hpp
  echo '#include "runtime/result.hpp"' > actors/store/raft/raft.hpp
  echo '#include "actors/store/raft/raft.hpp"' > actors/store/replica/replica.hpp
  echo '#include "runtime/environment.hpp"' > actors/store/client/client.hpp
  echo '#include "runtime/environment.hpp"' > actors/api/actor.hpp
  mkdir -p sim/world
  echo '#include "actors/store/replica/replica.hpp"' > sim/world/world.hpp
}

expect_fail() {  # $1: what, $2: text the report must contain
  if out=$("$check" "$work/t"); then echo "FAIL: $1 passed"; exit 1; fi
  grep -q "$2" <<<"$out" || { echo "FAIL: $1: report lacks '$2':"; echo "$out"; exit 1; }
  echo "ok: $1"
}

tree
"$check" "$work/t" >/dev/null || { echo "FAIL: clean tree refused"; "$check" "$work/t"; exit 1; }
echo "ok: clean tree"

tree; echo '#include "sim/world/world.hpp"' >> storage/lmdb_env.hpp
expect_fail "lower layer includes a higher one" "storage/lmdb_env.hpp: includes sim/world/world.hpp"

tree; echo '#include "actors/store/replica/replica.hpp"' >> actors/api/actor.hpp
expect_fail "a component includes another's header" "components talk through messages"

tree; echo '#include "actors/store/replica/replica.hpp"' >> actors/store/raft/raft.hpp
expect_fail "raft includes the replica" "actors/store/raft may not use replica/"

tree; echo '#include "runtime/environment.hpp"' >> storage/lmdb_env.hpp
expect_fail "a logic core reaches CAF through a header" "storage/lmdb_env.hpp: a logic core includes CAF"

tree; echo '#include <caf/all.hpp>' >> actors/store/replica/replica.hpp
expect_fail "a logic core includes CAF directly" "actors/store/replica/replica.hpp: a logic core includes CAF"

# The scheduler: a logic core but for its actor shells; it may reuse the API's meta/ semantics,
# which no other component may.
sched() { tree; mkdir -p actors/scheduler/framework actors/api/meta actors/api/server actors/controllers
  echo '#pragma once' > actors/api/meta/quantity.hpp
  echo '#pragma once' > actors/api/server/api_service.hpp; }
sched; echo '#include "actors/api/meta/quantity.hpp"' > actors/scheduler/framework/pod_info.hpp
echo '#include "runtime/environment.hpp"' > actors/scheduler/scheduler_actor.hpp
"$check" "$work/t" >/dev/null || { echo "FAIL: scheduler using meta/ refused"; "$check" "$work/t"; exit 1; }
echo "ok: the scheduler uses actors/api/meta and its actor shell CAF"
sched; echo '#include "runtime/environment.hpp"' > actors/scheduler/framework/framework.hpp
expect_fail "the scheduler's core reaches CAF" "actors/scheduler/framework/framework.hpp: a logic core includes CAF"
sched; echo '#include "actors/api/server/api_service.hpp"' > actors/scheduler/framework/framework.hpp
expect_fail "the scheduler includes the API server" "components talk through messages"
sched; echo '#include "actors/api/meta/quantity.hpp"' > actors/controllers/pods.hpp
expect_fail "another component includes actors/api/meta" "components talk through messages"
