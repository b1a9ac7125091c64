// The contract between the controller manager and each controller (issue 12). A controller is
// a pure reconcile core: the manager hands it a key from its work queue, it looks at the
// informer caches and answers with the API calls that move the cluster toward what the object
// declares; the manager sends them to the API actor and reports every answer back. A key stays
// "being processed" until every call of its sync was answered, so one object never has two
// syncs racing; a failed call sends the key back after the queue's per-key back-off.
//
// Controllers learn about changes from the shared informers (ControllerContext::informer): their
// handlers call enqueue() with the keys to reconcile (a pod's change enqueues its owner).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/api/client/api_protocol.hpp"
#include "actors/api/client/event_recorder.hpp"
#include "actors/api/informer/informer.hpp"
#include "actors/controllers/resource_type.hpp"

namespace craton::controllers {

struct SyncResult {
  std::vector<api::ApiCall> calls;
  /// Reconcile this key again at this time (e.g. when a pod becomes available after
  /// minReadySeconds), even if nothing changes meanwhile. Any value is a time: a manager's
  /// clock may read below zero (the simulator skews node clocks), so no value means "never".
  std::optional<std::int64_t> again_at_ms;

  /// Asks for the earlier of the time already asked for and `at_ms`.
  void again_no_later_than(std::int64_t at_ms) {
    again_at_ms = again_at_ms ? std::min(*again_at_ms, at_ms) : at_ms;
  }
};

class Controller {
 public:
  virtual ~Controller() = default;
  /// Its name in logs and metrics ("replicaset").
  virtual const char* name() const = 0;
  /// Reconciles the object with this key ("namespace/name") as the caches show it now.
  virtual SyncResult sync(const std::string& key, std::int64_t now_ms) = 0;
  /// The answer to one call of `key`'s sync. A call that got no answer in time arrives here
  /// with code 0. Controllers lower their expectations for changes that will not come.
  /// False: the sync failed, the key comes back after its back-off.
  virtual bool on_reply(const std::string& key, const api::ApiCall& call,
                        const api::ApiReply& reply) = 0;
  /// The manager stopped acting (it lost its lease): forget what was expected.
  virtual void reset() = 0;
};

/// What a controller gets from the manager when it is made.
struct ControllerContext {
  /// The shared informer of a resource (made on first use; every controller asking for pods
  /// gets the same one).
  std::function<api::Informer&(const ResourceType&)> informer;
  /// Queue a key of this controller for a sync.
  std::function<void(const std::string& key)> enqueue;
  /// The manager's clock (for handlers that record when they saw something).
  std::function<std::int64_t()> now_ms;
  /// Records an Event about an object (deduplicated and rate-limited by the manager's
  /// api::EventRecorder, written to the API in the background; its outcome does not matter to the
  /// sync). `kubectl describe` shows them.
  std::function<void(api::EventReport)> record;
};

using ControllerFactory = std::function<std::unique_ptr<Controller>(const ControllerContext&)>;

}  // namespace craton::controllers
