// A pod controller's view of its pods' changes (see the header).
#include "actors/controllers/pod_events.hpp"

#include <algorithm>

#include "actors/api/client/typed_selector.hpp"
#include "actors/api/informer/informer_cache.hpp"
#include "actors/controllers/pods.hpp"
#include "actors/controllers/resource_type.hpp"
#include "schemas/api_apps.capnp.h"

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

bool being_deleted(const api::InformerObject& pod) {
  return pod.as<k8s::Pod>().getMetadata().getDeletionTimestamp().size() > 0;
}

template <class T>
void add_claim_indexes(api::Informer& informer) {
  informer.ensure_index(kByControllerUid, [](const api::InformerObject& o) {
    auto ref = controller_of(o.as<T>().getMetadata());
    if (!ref) return std::vector<std::string>{};
    auto uid = ref->getUid();
    return std::vector<std::string>{std::string(uid.cStr(), uid.size())};
  });
  informer.ensure_index(kOrphansByNamespace, [](const api::InformerObject& o) {
    return controller_of(o.as<T>().getMetadata()) ? std::vector<std::string>{}
                                                  : std::vector<std::string>{o.name_space()};
  });
}

}  // namespace

void ensure_claim_indexes(api::Informer& pods) {
  add_claim_indexes<k8s::Pod>(pods);
}

void ensure_replica_set_claim_indexes(api::Informer& sets) {
  add_claim_indexes<k8s::ReplicaSet>(sets);
}

std::vector<api::InformerObject> claim_candidates(const api::Informer& pods,
                                                  const std::string& name_space,
                                                  const std::string& uid) {
  auto out = pods.cache().by_index(kByControllerUid, uid);
  auto orphans = pods.cache().by_index(kOrphansByNamespace, name_space);
  auto middle = out.size();
  out.insert(out.end(), orphans.begin(), orphans.end());
  std::inplace_merge(out.begin(), out.begin() + std::ptrdiff_t(middle), out.end(),
                     [](const auto& a, const auto& b) { return a.key() < b.key(); });
  // A uid is unique across namespaces, but the index is by uid alone: keep the owner's own.
  std::erase_if(out, [&](const auto& o) { return o.name_space() != name_space; });
  return out;
}

PodEvents::PodEvents(std::string owner_kind, api::Informer& owners, api::Informer& pods,
                     Expectations& expectations, std::function<void(const std::string&)> enqueue)
    : owner_kind_(std::move(owner_kind)),
      owners_(owners),
      expectations_(expectations),
      enqueue_(std::move(enqueue)) {
  owners.ensure_index(kByNamespace, api::index_by_namespace());
  pods.ensure_index(kByNamespace, api::index_by_namespace());
  ensure_claim_indexes(pods);
  pods.add_handlers({
      [this](const api::InformerObject& pod) { added(pod); },
      [this](const api::InformerObject& old, const api::InformerObject& pod) { updated(old, pod); },
      [this](const api::InformerObject& pod, bool) { deleted(pod); },
  });
}

std::optional<std::string> PodEvents::owner_key(const api::InformerObject& pod) const {
  auto ref = controller_of(pod.as<k8s::Pod>().getMetadata());
  if (!ref || ref->getKind() != owner_kind_.c_str()) return std::nullopt;
  auto key = object_key(pod.name_space(), ref->getName());
  auto owner = owners_.cache().get(key);
  if (!owner || owner->uid() != ref->getUid().cStr()) return std::nullopt;
  return key;
}

void PodEvents::enqueue_matching(const api::InformerObject& pod) {
  auto labels = pod.as<k8s::Pod>().getMetadata().getLabels();
  for (const auto& owner : owners_.cache().by_index(kByNamespace, pod.name_space())) {
    auto selector = owner.reader().get("spec").as<capnp::DynamicStruct>().get("selector");
    if (api::selector_matches(selector.as<k8s::LabelSelector>(), labels)) enqueue_(owner.key());
  }
}

void PodEvents::added(const api::InformerObject& pod) {
  if (being_deleted(pod)) return deleted(pod);
  if (auto key = owner_key(pod)) {
    expectations_.observed_add(*key);
    enqueue_(*key);
  } else if (!controller_of(pod.as<k8s::Pod>().getMetadata())) {
    enqueue_matching(pod);
  }
}

void PodEvents::updated(const api::InformerObject& old, const api::InformerObject& pod) {
  if (old.resource_version() == pod.resource_version()) return;  // a resync
  if (being_deleted(pod)) return deleted(pod);
  auto old_owner = owner_key(old);
  auto owner = owner_key(pod);
  if (old_owner && old_owner != owner) enqueue_(*old_owner);
  if (owner)
    enqueue_(*owner);
  else if (!controller_of(pod.as<k8s::Pod>().getMetadata()))
    enqueue_matching(pod);
}

void PodEvents::deleted(const api::InformerObject& pod) {
  auto ref = controller_of(pod.as<k8s::Pod>().getMetadata());
  if (!ref || ref->getKind() != owner_kind_.c_str()) return;
  auto key = object_key(pod.name_space(), ref->getName());
  expectations_.observed_delete(key, pod.key());
  enqueue_(key);
}

}  // namespace craton::controllers
