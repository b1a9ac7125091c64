// Events and expectations after a pod create or delete (see pod_control.hpp).
#include "actors/controllers/pod_control.hpp"

#include "actors/controllers/resource_type.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_pod.capnp.h"

namespace craton::controllers {

api::ObjectRef event_ref(const api::InformerObject& owner, const char* kind,
                         const char* api_version) {
  return api::ObjectRef{kind,        owner.name_space(), owner.name(),
                        owner.uid(), api_version,        std::to_string(owner.resource_version()),
                        ""};
}

std::optional<bool> settle_pod_call(const std::string& key, const api::ApiCall& call,
                                    const api::ApiReply& reply, Expectations& expectations,
                                    std::int64_t now_ms, const OwnerEventSink& event) {
  if (call.resource != "pods") return std::nullopt;
  if (call.verb == api::ApiVerb::create) {
    if (!reply.ok()) {
      event(api::EventType::warning, "FailedCreate", "Error creating: " + reply.failure.message);
      expectations.creation_failed(key, reply.code, now_ms);
      return false;
    }
    auto pod = FlatMessage::open(reply.object.bytes);
    if (pod.ok())
      event(api::EventType::normal, "SuccessfulCreate",
            "Created pod: " + std::string(pod->root<schema::k8s::Pod>().getMetadata().getName()));
    return true;
  }
  if (call.verb == api::ApiVerb::remove) {
    if (reply.ok()) {
      event(api::EventType::normal, "SuccessfulDelete", "Deleted pod: " + call.name);
      return true;
    }
    expectations.lower_delete(key, object_key(call.namespace_, call.name));
    return reply.code == 404;  // gone already: what we wanted
  }
  return std::nullopt;
}

}  // namespace craton::controllers
