// The watch checker (pure): judges the StoreWatcher observations of a RunHistory (formats in
// sim/store/store_watcher.hpp) against etcd's watch guarantees, per watcher (one per node, across
// its incarnations, since it resumes from the revision it persisted):
//   ordered        revisions strictly increase over the watcher's whole life;
//   no duplicates  no revision is delivered twice (the same check);
//   atomic         a revision's events arrive in one response, and every watcher that sees a
//                  revision sees the same events for it, in the same order;
//   no gaps        every revision any watcher saw, between a watcher's first start and the
//                  last revision it delivered, was delivered to it; with
//                  every_revision_watched (all writes of the run touch watched keys) the
//                  delivered revisions are also consecutive integers;
//   resumable      each (re)start asks for exactly the revision after the last delivered;
//   real           each put event carries a value some client asked to write to that key;
//   complete       each write acknowledged with its revision (StoreOpEvent::revision: the
//                  API's writers), inside a watcher's span, was delivered to it.
// A replica cancelling a watch (compaction) is a failure when no compaction is expected, and
// a run with successful writes where no watcher saw any event fails too (not vacuous).
#pragma once

#include "sim/world/run_history.hpp"

namespace craton::sim {

struct WatchCheckOptions {
  bool every_revision_watched = true;
  bool compaction_expected = false;
};

CheckResult check_watch_history(const RunHistory& history, const WatchCheckOptions& options = {});

}  // namespace craton::sim
