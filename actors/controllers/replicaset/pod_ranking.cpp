// The scale-down order of a ReplicaSet's pods.
#include "actors/controllers/replicaset/pod_ranking.hpp"

#include <cstdlib>
#include <string>
#include <tuple>

namespace craton::controllers {
namespace {

namespace k8s = schema::k8s;

std::string text(capnp::Text::Reader t) {
  return std::string(t.cStr(), t.size());
}

int phase_rank(const std::string& phase) {
  if (phase == "Pending") return 0;
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 3;
}

// The Ready condition's transition time when the pod is Ready, else nothing.
std::pair<bool, std::string> readiness(k8s::Pod::Reader pod) {
  for (auto c : pod.getStatus().getConditions())
    if (c.getType() == "Ready") return {c.getStatus() == "True", text(c.getLastTransitionTime())};
  return {false, ""};
}

long long deletion_cost(k8s::Pod::Reader pod) {
  for (auto e : pod.getMetadata().getAnnotations().getEntries())
    if (e.getKey() == "controller.kubernetes.io/pod-deletion-cost")
      return std::strtoll(e.getValue().cStr(), nullptr, 10);
  return 0;
}

int restarts(k8s::Pod::Reader pod) {
  int n = 0;
  for (auto s : pod.getStatus().getContainerStatuses()) n += s.getRestartCount();
  return n;
}

}  // namespace

bool delete_before(k8s::Pod::Reader a, k8s::Pod::Reader b) {
  bool a_scheduled = a.getSpec().getNodeName().size() > 0;
  bool b_scheduled = b.getSpec().getNodeName().size() > 0;
  if (a_scheduled != b_scheduled) return !a_scheduled;
  int a_phase = phase_rank(text(a.getStatus().getPhase()));
  int b_phase = phase_rank(text(b.getStatus().getPhase()));
  if (a_phase != b_phase) return a_phase < b_phase;
  auto [a_ready, a_since] = readiness(a);
  auto [b_ready, b_since] = readiness(b);
  if (a_ready != b_ready) return !a_ready;
  auto a_cost = deletion_cost(a), b_cost = deletion_cost(b);
  if (a_cost != b_cost) return a_cost < b_cost;
  if (a_ready && a_since != b_since) return a_since > b_since;  // ready for less time first
  int a_restarts = restarts(a), b_restarts = restarts(b);
  if (a_restarts != b_restarts) return a_restarts > b_restarts;
  auto a_created = text(a.getMetadata().getCreationTimestamp());
  auto b_created = text(b.getMetadata().getCreationTimestamp());
  if (a_created != b_created) return a_created > b_created;  // newer first
  return text(a.getMetadata().getName()) < text(b.getMetadata().getName());
}

}  // namespace craton::controllers
