// binding_call: a pod's v1 Binding as an API call.
#include "actors/scheduler/service/binding_call.hpp"

#include "runtime/flat_message.hpp"
#include "schemas/api_pod.capnp.h"

namespace craton::scheduler {

api::ApiCall binding_call(const PodInfo& pod, std::string_view node,
                          const std::map<std::string, std::string>& annotations) {
  capnp::MallocMessageBuilder message;
  auto b = message.initRoot<schema::k8s::Binding>();
  b.setApiVersion("v1");
  b.setKind("Binding");
  b.getMetadata().setName(pod.name);
  b.getMetadata().setNamespace(pod.namespace_);
  b.getMetadata().setUid(pod.uid);
  if (!annotations.empty()) {  // a StringMap's entries are sorted by key, as a std::map's
    auto entries = b.getMetadata().initAnnotations().initEntries(unsigned(annotations.size()));
    unsigned i = 0;
    for (const auto& [key, value] : annotations) {
      entries[i].setKey(key);
      entries[i++].setValue(value);
    }
  }
  b.initTarget().setKind("Node");
  b.getTarget().setName(std::string(node));
  api::ApiCall call;
  call.verb = api::ApiVerb::create;
  call.resource = "pods";
  call.namespace_ = pod.namespace_;
  call.name = pod.name;
  call.subresource = "binding";
  call.object = flat_bytes(message);
  return call;
}

}  // namespace craton::scheduler
