// The HTTP host's cache feed: one store watch batch read as changes or progress.
#include "actors/api/host/store_feed.hpp"

namespace craton::api {

FeedStep feed_step(store::WatchEvents batch) {
  FeedStep step;
  if (batch.is_progress()) {
    step.progress = batch.header_revision;
    return step;
  }
  step.changes.reserve(batch.events.size());
  for (auto& e : batch.events)
    step.changes.push_back(FeedChange{e.kv.key, e.kv.mod_revision,
                                      e.type == storage::EventType::put
                                          ? std::optional<std::string>(std::move(e.kv.value))
                                          : std::nullopt});
  return step;
}

}  // namespace craton::api
