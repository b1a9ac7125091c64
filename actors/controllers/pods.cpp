// Pods as the workload controllers see them, and the objects they write for them.
#include "actors/controllers/pods.hpp"

#include <capnp/dynamic.h>
#include <capnp/message.h>

#include <algorithm>
#include <vector>

#include "actors/api/client/kube_time.hpp"
#include "runtime/flat_message.hpp"

namespace craton::controllers {
namespace k8s = schema::k8s;

bool pod_active(k8s::Pod::Reader pod) {
  auto phase = pod.getStatus().getPhase();
  return phase != "Succeeded" && phase != "Failed" &&
         pod.getMetadata().getDeletionTimestamp().size() == 0;
}

namespace {

std::optional<k8s::PodCondition::Reader> ready_condition(k8s::Pod::Reader pod) {
  for (auto c : pod.getStatus().getConditions())
    if (c.getType() == "Ready") return c;
  return std::nullopt;
}

void set_owner(k8s::OwnerReference::Builder ref, const Owner& owner) {
  ref.setApiVersion(owner.api_version);
  ref.setKind(owner.kind);
  ref.setName(owner.name);
  ref.setUid(owner.uid);
  ref.setController(true);
  ref.setBlockOwnerDeletion(true);
}

// A copy of the object to edit: its message and its metadata.
struct Copy {
  capnp::MallocMessageBuilder message;
  capnp::DynamicStruct::Builder root;
  k8s::ObjectMeta::Builder meta() { return root.get("metadata").as<k8s::ObjectMeta>(); }
};

void copy_into(Copy& copy, capnp::DynamicStruct::Reader object) {
  copy.message.setRoot(object);
  copy.root = copy.message.getRoot<capnp::DynamicStruct>(object.getSchema());
}

}  // namespace

bool pod_ready(k8s::Pod::Reader pod) {
  auto c = ready_condition(pod);
  return c && c->getStatus() == "True";
}

bool pod_available(k8s::Pod::Reader pod, std::int32_t min_ready_seconds, std::int64_t now_s) {
  auto c = ready_condition(pod);
  if (!c || c->getStatus() != "True") return false;
  if (min_ready_seconds <= 0) return true;
  auto since = api::parse_rfc3339(c->getLastTransitionTime());
  return since && *since + min_ready_seconds <= now_s;
}

std::optional<k8s::OwnerReference::Reader> controller_of(k8s::ObjectMeta::Reader meta) {
  for (auto ref : meta.getOwnerReferences())
    if (ref.getController()) return ref;
  return std::nullopt;
}

std::string pod_from_template(k8s::PodTemplateSpec::Reader pod_template,
                              const std::string& namespace_, const Owner& owner) {
  capnp::MallocMessageBuilder message;
  auto pod = message.initRoot<k8s::Pod>();
  auto meta = pod.initMetadata();
  auto from = pod_template.getMetadata();
  meta.setGenerateName(owner.name + "-");
  meta.setNamespace(namespace_);
  if (from.hasLabels()) meta.setLabels(from.getLabels());
  if (from.hasAnnotations()) meta.setAnnotations(from.getAnnotations());
  if (from.hasFinalizers()) meta.setFinalizers(from.getFinalizers());
  set_owner(meta.initOwnerReferences(1)[0], owner);
  pod.setSpec(pod_template.getSpec());
  return flat_bytes(message);
}

std::string with_controller(capnp::DynamicStruct::Reader object, const Owner& owner) {
  Copy copy;
  copy_into(copy, object);
  auto meta = copy.meta();
  auto orphanage = copy.message.getOrphanage();
  auto old = meta.asReader().getOwnerReferences();
  auto refs = orphanage.newOrphan<capnp::List<k8s::OwnerReference>>(old.size() + 1);
  for (unsigned i = 0; i < old.size(); ++i) refs.get().setWithCaveats(i, old[i]);
  set_owner(refs.get()[old.size()], owner);
  meta.adoptOwnerReferences(std::move(refs));
  return flat_bytes(copy.message);
}

std::string without_owners(capnp::DynamicStruct::Reader object,
                           const std::vector<std::string>& release_uids) {
  Copy copy;
  copy_into(copy, object);
  auto meta = copy.meta();
  auto old = meta.asReader().getOwnerReferences();
  std::vector<unsigned> keep;
  for (unsigned i = 0; i < old.size(); ++i)
    if (std::find(release_uids.begin(), release_uids.end(), old[i].getUid().cStr()) ==
        release_uids.end())
      keep.push_back(i);
  if (keep.empty()) {  // Kubernetes omits an empty list
    meta.disownOwnerReferences();
    return flat_bytes(copy.message);
  }
  auto refs = copy.message.getOrphanage().newOrphan<capnp::List<k8s::OwnerReference>>(keep.size());
  for (unsigned i = 0; i < keep.size(); ++i) refs.get().setWithCaveats(i, old[keep[i]]);
  meta.adoptOwnerReferences(std::move(refs));
  return flat_bytes(copy.message);
}

std::string without_finalizer(capnp::DynamicStruct::Reader object, const std::string& name) {
  Copy copy;
  copy_into(copy, object);
  auto meta = copy.meta();
  std::vector<std::string> keep;
  for (auto f : meta.asReader().getFinalizers())
    if (f != name) keep.push_back(f);
  if (keep.empty()) {
    meta.disownFinalizers();
  } else {
    auto list = meta.initFinalizers(unsigned(keep.size()));
    for (unsigned i = 0; i < keep.size(); ++i) list.set(i, keep[i]);
  }
  return flat_bytes(copy.message);
}

}  // namespace craton::controllers
