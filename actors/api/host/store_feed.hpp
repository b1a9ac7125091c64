// How the HTTP host's cache feed reads one batch of its store watch (StoreWatch::next()): the
// changes to apply to the watch caches, and a progress revision only when the batch is a
// progress notification.
//
// Why the distinction matters: an events batch's header_revision is the replica's revision
// when the batch was queued (etcd's WatchResponse header), not a promise about this watch. A
// watch that fell behind (a slow consumer, caught up from the store in bounded batches: see
// actors/store/watch/watch_hub.hpp) receives old events under a new header. Taking that
// header as progress moved every cache past revisions whose events were still to come, and
// the caches then refused them as out of order: objects in the store were missing from every
// HTTP LIST and watch (found by `craton bench controllers`: 51 of 10,000 pods). kube's etcd3
// watcher likewise reads progress only from progress notifications.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "actors/api/server/api_service.hpp"
#include "actors/store/client/client.hpp"

namespace craton::api {

struct FeedStep {
  std::vector<FeedChange> changes;       ///< in the batch's order (revision order)
  std::optional<std::int64_t> progress;  ///< set only for a progress notification
};

/// Takes the batch's values over.
FeedStep feed_step(store::WatchEvents batch);

}  // namespace craton::api
