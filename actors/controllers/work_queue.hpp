// WorkQueue: the controllers' shared work queue (issue 12), client-go's rate-limited
// workqueue as a pure state machine: keys ("namespace/name") wait to be reconciled, each at
// most once in the queue and never handed out twice at once, and a key whose reconcile fails
// comes back after a per-key exponential delay, so one broken object never starves the rest.
//
//   add(key)                  queue it (nothing if it waits already; if it is being
//                             processed, it is queued again when done())
//   next()                    the oldest waiting key, now being processed (nullopt: none)
//   done(key)                 processing ended
//   retry(key, now)           processing failed: back after retry_delay_ms(failures(key))
//   add_after(key, due)       queue it at `due` (a reconcile that must look again later)
//   forget(key)               processing succeeded: its failures are forgotten
//   tick(now)                 keys whose delay ran out join the queue
//
// Delays: base_delay_ms * 2^failures, capped at delay_max_ms (client-go's defaults: 5 ms and
// 1000 s). The caller owns the clock; no threads.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace craton::controllers {

struct WorkQueueConfig {
  std::int64_t base_delay_ms = 5;
  std::int64_t delay_max_ms = 1'000'000;
  std::size_t keys_max = 1'000'000;  ///< queued + delayed keys; beyond, add() refuses
};

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueConfig config = {});

  /// False when the queue holds keys_max keys already (the key is not queued).
  bool add(const std::string& key);
  std::optional<std::string> next();
  void done(const std::string& key);
  /// Queues the key again after its back-off (counting this failure). False: refused, as add.
  bool retry(const std::string& key, std::int64_t now_ms);
  /// Queues the key at due_ms (sooner if it is delayed to later already). False: refused.
  bool add_after(const std::string& key, std::int64_t due_ms);
  void forget(const std::string& key);
  void tick(std::int64_t now_ms);

  /// The delay before the next retry of a key that failed `failures` times before.
  std::int64_t retry_delay_ms(std::uint32_t failures) const;
  std::uint32_t failures(const std::string& key) const;
  std::size_t waiting() const { return queue_.size(); }
  std::size_t delayed() const { return delayed_by_key_.size(); }
  bool processing(const std::string& key) const { return processing_.count(key) > 0; }
  /// When the earliest delayed key is due (nullopt: none), for the caller's timer.
  std::optional<std::int64_t> next_due_ms() const;

 private:
  WorkQueueConfig config_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;       ///< waiting, or to wait again after done()
  std::unordered_set<std::string> processing_;  ///< handed out by next(), not yet done()
  std::unordered_map<std::string, std::uint32_t> failures_;
  std::multimap<std::int64_t, std::string> delayed_;              ///< due time -> key
  std::unordered_map<std::string, std::int64_t> delayed_by_key_;  ///< key -> its due time
};

}  // namespace craton::controllers
