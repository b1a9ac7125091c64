// RestartBackoff: kube's doubling restart delay with its reset after a clean run.
#include "actors/agent/core/restart_backoff.hpp"

#include <algorithm>

namespace craton::agent {

std::int64_t RestartBackoff::delay_ms(const std::string& key, std::int64_t finished_ms) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || expired(it->second, finished_ms)) return 0;
  return it->second.delay_ms;
}

void RestartBackoff::restarted(const std::string& key, std::int64_t now_ms) {
  auto [it, fresh] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (fresh || expired(e, now_ms))
    e.delay_ms = limits_.initial_ms;
  else
    e.delay_ms = std::min(e.delay_ms * 2, limits_.max_ms);
  e.last_restart_ms = now_ms;
}

}  // namespace craton::agent
