// RestartBackoff: the kubelet's per-container restart back-off (its flowcontrol.Backoff keyed
// by pod and container). The first restart after a quiet period is immediate; each further
// one waits twice as long as the last, from 10 s up to 5 min; an entry untouched for 10 min
// (the container ran cleanly that long since its last restart) starts over. So a container
// that keeps crashing is restarted after 0, 10, 20, 40, 80, 160, 300, 300, ... seconds.
//
// Pure: the caller passes the clock. Keys are the caller's (the pod's core uses container
// names, one RestartBackoff per pod). Bounded by the keys the caller uses; forget() drops one.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace craton::agent {

struct BackoffLimits {
  std::int64_t initial_ms = 10'000;
  std::int64_t max_ms = 300'000;
  std::int64_t reset_after_ms = 600'000;  ///< kube: twice the maximum
};

class RestartBackoff {
 public:
  explicit RestartBackoff(BackoffLimits limits = {}) : limits_(limits) {}

  /// How long after an exit at `finished_ms` the container may be restarted (0: at once).
  std::int64_t delay_ms(const std::string& key, std::int64_t finished_ms) const;
  /// The container was restarted at `now_ms`: the next delay doubles (or starts at initial).
  void restarted(const std::string& key, std::int64_t now_ms);
  void forget(const std::string& key) { entries_.erase(key); }

 private:
  struct Entry {
    std::int64_t delay_ms = 0;  ///< what the next restart waits
    std::int64_t last_restart_ms = 0;
  };
  bool expired(const Entry& e, std::int64_t at_ms) const {
    return at_ms - e.last_restart_ms > limits_.reset_after_ms;
  }
  BackoffLimits limits_;
  std::map<std::string, Entry> entries_;
};

}  // namespace craton::agent
