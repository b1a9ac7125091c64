// AutoCompactor: decides when the leader compacts the key-value history by itself, as etcd's
// --auto-compaction-mode / --auto-compaction-retention do. Pure: time (ActorEnv's, logical in
// the simulator) and the store's revisions in, a revision to compact out; the replica proposes
// it through Raft as an ordinary compaction write, so every replica compacts identically.
//
// Modes (default off, like etcd):
// - periodic: keep `retention_ms` of history. Every retention/10 the current revision is
//   sampled; a compaction goes to the revision sampled one retention ago, so at most every
//   retention/10 and never newer than retention allows.
// - revision: keep the last `retention_revisions` revisions; checked every check_interval_ms
//   (etcd: 5 minutes), compacting to current - retention when that is above the compacted one.
// Only a leader decides. Leadership restarts the clock: a new leader samples from scratch, so
// it never compacts history younger than the retention on any evidence it did not see itself.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <utility>

#include "runtime/result.hpp"

namespace craton::store {

enum class AutoCompactionMode { off, periodic, revision };

struct AutoCompactionConfig {
  AutoCompactionMode mode = AutoCompactionMode::off;
  std::int64_t retention_ms = 0;             ///< periodic: history kept
  std::int64_t retention_revisions = 0;      ///< revision: revisions kept
  std::int64_t check_interval_ms = 300'000;  ///< revision mode's check period (etcd: 5 min)
};

/// Parses etcd's flags: mode "periodic" (retention a duration: "1h", "30m", "90s", "500ms", or a
/// bare number of hours as etcd accepts) or "revision" (a positive revision count); "" or
/// "off" turn it off. Errors name the bad flag value.
Result<AutoCompactionConfig> parse_auto_compaction(std::string_view mode,
                                                   std::string_view retention);

class AutoCompactor {
 public:
  explicit AutoCompactor(AutoCompactionConfig config) : config_(config) {}

  /// Called on every tick. Returns the revision to compact to, or nothing.
  std::optional<std::int64_t> decide(std::int64_t now_ms, bool leader, std::int64_t current,
                                     std::int64_t compacted);

  const AutoCompactionConfig& config() const { return config_; }

 private:
  std::optional<std::int64_t> decide_periodic(std::int64_t now_ms, std::int64_t current,
                                              std::int64_t compacted);
  std::optional<std::int64_t> decide_revision(std::int64_t now_ms, std::int64_t current,
                                              std::int64_t compacted);

  AutoCompactionConfig config_;
  bool leading_ = false;
  std::int64_t next_ms_ = 0;  ///< next sample (periodic) or check (revision)
  /// periodic: (time, revision) samples, oldest first, spanning at most one retention.
  std::deque<std::pair<std::int64_t, std::int64_t>> samples_;
};

}  // namespace craton::store
