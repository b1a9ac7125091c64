// What a controller of pods makes of the answers to its own pod creates and deletes, shared by
// the ReplicaSet, DaemonSet and Job controllers: an Event on the owner for each pod created or
// deleted and each create refused (the Events kube's RealPodControl and its controllers
// record), and the owner's expectations told what it will not see (kube's
// CreationObserved / DeletionObserved after a failed call).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "actors/api/client/api_protocol.hpp"
#include "actors/api/client/event_recorder.hpp"
#include "actors/api/informer/informer_object.hpp"
#include "actors/controllers/expectations.hpp"

namespace craton::controllers {

/// The reference an Event about `owner` carries; `kind` and `api_version` are the owner's.
api::ObjectRef event_ref(const api::InformerObject& owner, const char* kind,
                         const char* api_version);

/// Records one Event about the owner whose call was answered.
using OwnerEventSink =
    std::function<void(api::EventType type, const char* reason, std::string message)>;

/// For a pod create or delete made for the owner `key`: records its Event, tells
/// `expectations` of a create that failed or a delete that will not be seen, and says whether
/// the call did what the controller wanted (deleting a pod that is gone already did). For any
/// other call: std::nullopt, the controller judges the answer itself.
std::optional<bool> settle_pod_call(const std::string& key, const api::ApiCall& call,
                                    const api::ApiReply& reply, Expectations& expectations,
                                    std::int64_t now_ms, const OwnerEventSink& event);

}  // namespace craton::controllers
