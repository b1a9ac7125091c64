// format_event: the one text form of every observation (the trace's "observe" lines).
#include "sim/world/observation.hpp"

namespace craton::sim {
namespace {

std::string format(const CacheSnapshot& e) {
  std::string s = "cache " + e.node + " " + std::to_string(e.revision);
  for (const auto& [key, value] : e.entries) s += " " + key + "=" + value;
  return s;
}

std::string format(const StoreOpEvent& e) {
  std::string s = "op " + e.process + " " + to_string(e.phase) + " " + to_string(e.function);
  if (e.phase == OpPhase::invoke) s += " " + e.key;
  for (const auto& v : e.values) s += " =" + v;
  if (!e.note.empty()) s += " " + e.note;
  if (e.revision != 0) s += " @" + std::to_string(e.revision);
  return s;
}

std::string format(const WatchEvent& e) {
  std::string s = "watch " + e.node;
  switch (e.kind) {
    case WatchEvent::Kind::start:
      return s + " start " + std::to_string(e.revision);
    case WatchEvent::Kind::canceled:
      return s + " canceled " + std::to_string(e.revision);
    case WatchEvent::Kind::events:
      break;
  }
  s += " ev";
  for (const auto& c : e.changes)
    s += " " + std::to_string(c.revision) + (c.put ? "/p/" : "/d/") + c.key + "/" + c.value;
  return s;
}

std::string format(const LeaseEvent& e) {
  std::string s = "lease " + e.process + " ";
  auto id = std::to_string(e.lease);
  switch (e.kind) {
    case LeaseEvent::Kind::granting:
      return s + "granting";
    case LeaseEvent::Kind::granted:
      return s + "granted " + id + " " + std::to_string(e.ttl_s);
    case LeaseEvent::Kind::put:
      return s + "put " + e.key + " " + id;
    case LeaseEvent::Kind::renewing:
      return s + "renewing " + id;
    case LeaseEvent::Kind::renewed:
      return s + "renewed " + id;
    case LeaseEvent::Kind::lost:
      return s + "lost " + id;
    case LeaseEvent::Kind::abandoned:
      return s + "abandoned " + id;
  }
  return s;
}

std::string format(const LeaseKeyEvent& e) {
  switch (e.kind) {
    case LeaseKeyEvent::Kind::start:
      return "leasekey start";
    case LeaseKeyEvent::Kind::add:
      return "leasekey add " + e.key;
    case LeaseKeyEvent::Kind::del:
      return "leasekey del " + e.key;
  }
  return "leasekey";
}

std::string format(const StoreFailureEvent& e) {
  switch (e.kind) {
    case StoreFailureEvent::Kind::open:
      return "store open failed: " + e.message;
    case StoreFailureEvent::Kind::running:
      return "store failed: " + e.message;
    case StoreFailureEvent::Kind::disk_stop:
      return "disk stop: " + e.message;
  }
  return e.message;
}

std::string format(const WorkloadSample& e) {
  std::string s = std::string(e.kind == WorkloadSample::Kind::pods ? "pods " : "replicasets ") +
                  e.workload + " @" + std::to_string(e.revision);
  for (const auto& [name, count] : e.counts) {
    s += " " + name + "=" + std::to_string(count);
    auto generation = e.generations.find(name);
    if (generation != e.generations.end()) s += "/g" + std::to_string(generation->second);
  }
  if (e.kind == WorkloadSample::Kind::pods) s += " ready=" + std::to_string(e.ready);
  return s;
}

std::string format(const DeletionEvent& e) {
  std::string s =
      "deleted " + e.resource + " " + (e.namespace_.empty() ? e.name : e.namespace_ + "/" + e.name);
  if (!e.propagation.empty()) s += " propagation=" + e.propagation;
  return s;
}

std::string format(const OwnershipSample& e) {
  std::string s = "ownership @" + std::to_string(e.revision) + " namespaces";
  for (const auto& ns : e.namespaces) s += " " + ns;
  s += " objects";
  for (const auto& [ns, count] : e.objects_by_namespace)
    s += " " + ns + "=" + std::to_string(count);
  s += " apps";
  for (const auto& [app, count] : e.objects_by_app) s += " " + app + "=" + std::to_string(count);
  for (const auto& d : e.dangling) s += " dangling " + d;
  return s;
}

std::string format(const SchedulerResources& r) {
  return std::to_string(r.cpu_milli) + "m/" + std::to_string(r.memory_bytes) + "B/" +
         std::to_string(r.pods) + "p";
}

std::string format(const SchedulerView& e) {
  std::string s = "scheduling @" + std::to_string(e.revision) + " nodes";
  for (const auto& [name, room] : e.nodes)
    s += " " + name + "=" + format(room.requested) + "<=" + format(room.allocatable);
  s += " pods";
  for (const auto& [uid, pod] : e.pods)
    s += " " + pod.name + "(" + uid + ")" + format(pod.request) + "@" +
         (pod.node.empty() ? "-" : pod.node);
  return s;
}

std::string format(const PodsView& e) {
  std::string s = "pods @" + std::to_string(e.revision);
  for (const auto& [uid, pod] : e.pods)
    s += " " + pod.name + "(" + uid + ")@" + (pod.node.empty() ? "-" : pod.node) + ":" +
         (pod.phase.empty() ? "-" : pod.phase) + (pod.ready ? "+ready" : "") +
         (pod.terminating ? "+terminating" : "") + (pod.preempted ? "+preempted" : "") +
         (pod.gpu_index.empty() ? "" : "+gpu=" + pod.gpu_index);
  return s;
}

std::string format(const ContainerEvent& e) {
  return std::string("container ") + (e.kind == ContainerEvent::Kind::start ? "start " : "stop ") +
         e.pod + "(" + e.pod_uid + ")/" + e.container + "#" + std::to_string(e.attempt);
}

std::string format(const TextEvent& e) {
  return e.text;
}

}  // namespace

std::string format_event(const ObservedEvent& event) {
  return std::visit([](const auto& e) { return format(e); }, event);
}

const char* to_string(OpPhase phase) {
  switch (phase) {
    case OpPhase::invoke:
      return "invoke";
    case OpPhase::ok:
      return "ok";
    case OpPhase::fail:
      return "fail";
    case OpPhase::info:
      return "info";
  }
  return "?";
}

const char* to_string(OpFunction function) {
  switch (function) {
    case OpFunction::read:
      return "read";
    case OpFunction::write:
      return "write";
    case OpFunction::cas:
      return "cas";
  }
  return "?";
}

}  // namespace craton::sim
