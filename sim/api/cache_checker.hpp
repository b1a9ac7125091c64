// The cache checker (pure): judges the informers' CacheSnapshot observations of the api
// scenario (sim/api/api_clients.hpp) against the history the API watchers delivered.
//   consistent  a snapshot at revision R holds exactly the ConfigMaps (key -> value) that the
//               changes up to R leave (replayed from the watchers' events, which the watch
//               checker proves complete), for every R the watchers' history covers;
//   converges   the last snapshot of an informer whose node is up at the end is at least at
//               every write acknowledged after the settle point and more than lag_ms before
//               that snapshot.
// counts["cache_snapshots_checked"] says how many snapshots were compared (tests demand some
// over many runs: one informer may spend a short run in its backoff).
#pragma once

#include "sim/world/run_history.hpp"

namespace craton::sim {

struct CacheCheckOptions {
  std::int64_t lag_ms = 5000;
};

CheckResult check_cache_snapshots(const RunHistory& history, const CacheCheckOptions& options = {});

}  // namespace craton::sim
