// The admission steps that read or claim other objects (the pure ones are each kind's
// defaults and validate): Priority for pods, cluster IP allocation for services.
#include <set>

#include "actors/api/kinds/checks.hpp"
#include "actors/api/server/api_errors.hpp"
#include "actors/api/server/api_internal.hpp"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::api {
namespace {

namespace k8s = schema::k8s;

// A claim on a cluster IP that no service holds is stale after this long (its service was
// deleted, or the create that claimed it failed) and may be taken over.
constexpr std::int64_t kStaleClaimS = 60;
// Candidates tried before a create gives up (each a store write when its claim exists).
constexpr int kClaimAttempts = 64;

}  // namespace

// Kubernetes' Priority admission: a pod's priority is its PriorityClass's value (the global
// default class's when it names none, else 0); naming a class that does not exist is
// forbidden.
std::optional<HttpResponse> ApiService::admit(const Request& r, const Object& object) {
  if (r.kind->info.plural != "pods") return std::nullopt;
  auto spec = object.root().as<k8s::Pod>().getSpec();
  const Kind* classes = find_kind("scheduling.k8s.io", "v1", "priorityclasses");
  std::vector<CachedObject> listed;
  {
    std::lock_guard lock(mutex_);
    auto all = cache_for("priorityclasses")
                   ->list(registry_prefix("priorityclasses", ""), ListMode::latest, 0);
    if (all) listed = std::move(all->second);
  }
  auto wanted = text(spec.getPriorityClassName());
  // Two built-in classes exist on every Kubernetes cluster.
  std::optional<std::int32_t> value;
  std::string preemption;
  if (wanted == "system-cluster-critical") value = 2'000'000'000;
  if (wanted == "system-node-critical") value = 2'000'001'000;
  for (const auto& cached : listed) {
    auto pc = object_from_bytes(*classes, cached.value);
    if (!pc) continue;
    auto c = pc->root().as<k8s::PriorityClass>();
    bool match = wanted.empty() ? c.getGlobalDefault() : text(c.getMetadata().getName()) == wanted;
    if (!match) continue;
    value = c.getValue();
    preemption = text(c.getPreemptionPolicy());
    if (wanted.empty()) spec.setPriorityClassName(c.getMetadata().getName());
  }
  if (!wanted.empty() && !value)
    return status_error(403, "Forbidden",
                        "pods \"" + text(object.meta().getName()) +
                            "\" is forbidden: no PriorityClass with name " + wanted + " was found");
  auto computed = value.value_or(0);
  if (spec.hasPriority() && spec.getPriority().getValue() != computed)
    return status_error(403, "Forbidden",
                        "pods \"" + text(object.meta().getName()) +
                            "\" is forbidden: the integer value of priority (" +
                            std::to_string(spec.getPriority().getValue()) +
                            ") must not be provided in pod spec; priority admission controller "
                            "computed " +
                            std::to_string(computed) + " from the given PriorityClass name");
  spec.initPriority().setValue(computed);
  if (spec.getPreemptionPolicy().size() == 0)
    spec.setPreemptionPolicy(preemption.empty() ? "PreemptLowerPriority" : preemption);
  return std::nullopt;
}

// Kubernetes' cluster IP allocation, through the store: an address is claimed by creating
// /registry/ipaddresses/<ip> (where kube-apiserver 1.31+ keeps IPAddress objects), so two API
// servers never hand out the same one. Candidates are the lowest addresses no service in the
// cache holds; the first (10.96.0.1) stays free for the `kubernetes` service, as on
// Kubernetes. A dry run picks an address without claiming it.
Task<std::optional<HttpResponse>> ApiService::allocate_cluster_ip(const Request& r,
                                                                  Object& object) {
  if (r.kind->info.plural != "services") co_return std::nullopt;
  auto spec = object.root().as<k8s::Service>().getSpec();
  auto wanted = text(spec.getClusterIP());
  if (text(spec.getType()) == "ExternalName" || wanted == "None") co_return std::nullopt;
  std::set<std::string> used;
  {
    std::lock_guard lock(mutex_);
    auto listed = cache_for("services")->list(registry_prefix("services", ""), ListMode::latest, 0);
    if (listed)
      for (const auto& cached : listed->second) {
        auto service = object_from_bytes(*r.kind, cached.value);
        if (service) used.insert(text(service->root().as<k8s::Service>().getSpec().getClusterIP()));
      }
  }
  auto name = text(object.meta().getName());
  auto refuse = [&](const std::string& why) {
    Causes causes;
    invalid(causes, "spec.clusterIPs", wanted, "failed to allocate IP " + wanted + ": " + why);
    return invalid(*r.kind, name, causes);
  };
  std::vector<std::string> candidates;
  if (!wanted.empty()) {
    if (!service_ips_.index_of(wanted))
      co_return refuse("provided IP is not in the valid range. The range of valid IPs is " +
                       service_ips_.cidr());
    if (used.count(wanted)) co_return refuse("provided IP is already allocated");
    candidates.push_back(wanted);
  } else {
    for (std::uint32_t i = 1; i < service_ips_.usable() && candidates.size() < kClaimAttempts; ++i)
      if (!used.count(service_ips_.at(i))) candidates.push_back(service_ips_.at(i));
  }
  auto claim = text(object.meta().getNamespace()) + "/" + name + " " + std::to_string(now_s());
  for (const auto& ip : candidates) {
    bool taken = r.dry_run;
    if (!taken) {
      auto key = "/registry/ipaddresses/" + ip;
      auto created = co_await store_create(key, claim, nullptr);
      taken = created.ok();
      if (!created && created.error().code != "exists")
        co_return from_error(created.error(), *r.kind, name);
      if (!taken) {
        // Someone holds the claim: take it over only when it is stale.
        auto held = co_await store_get(key);
        if (!held) co_return from_error(held.error(), *r.kind, name);
        if (*held) {
          auto since = (*held)->value.substr((*held)->value.rfind(' ') + 1);
          bool stale = now_s() - std::atoll(since.c_str()) > kStaleClaimS;
          if (stale)
            taken = (co_await store_update(key, claim, (*held)->mod_revision, nullptr)).ok();
        }
      }
    }
    if (!taken) continue;
    spec.setClusterIP(ip);
    spec.initClusterIPs(1).set(0, ip);
    co_return std::nullopt;
  }
  if (!wanted.empty()) co_return refuse("provided IP is already allocated");
  co_return status_error(500, "InternalError",
                         "Internal error occurred: failed to allocate a serviceIP: range is full");
}

}  // namespace craton::api
