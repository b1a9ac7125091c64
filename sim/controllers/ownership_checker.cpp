// The ownership checker (see the header).
#include "sim/controllers/ownership_checker.hpp"

#include <tuple>

namespace craton::sim {

CheckResult check_ownership(const RunHistory& history) {
  CheckResult result;
  std::vector<DeletionEvent> deletions;
  using Stream = std::pair<std::string, std::uint64_t>;  // node, incarnation
  std::map<Stream, const Observation*> last;
  std::uint64_t samples = 0;
  for (const auto& o : history.observations) {
    if (const auto* d = std::get_if<DeletionEvent>(&o.event)) deletions.push_back(*d);
    if (std::holds_alternative<OwnershipSample>(o.event)) {
      ++samples;
      last[{o.node, o.incarnation}] = &o;
    }
  }
  std::uint64_t judged = 0;
  for (const auto& [stream, o] : last) {
    const auto& [node, incarnation] = stream;
    auto state = history.final_state.find(node);
    if (state == history.final_state.end() || !state->second.up ||
        state->second.incarnation != incarnation)
      continue;  // that auditor is gone: its last view is not the end's
    const auto& s = std::get<OwnershipSample>(o->event);
    auto where = "t=" + std::to_string(o->time_ms) + " " + node + " @" + std::to_string(s.revision);
    for (const auto& d : s.dangling) result.fail(where + ": dangling owner reference: " + d);
    for (const auto& d : deletions) {
      if (d.resource == "namespaces") {
        if (s.namespaces.count(d.name))
          result.fail(where + ": namespace " + d.name + " was deleted but still exists");
        if (auto it = s.objects_by_namespace.find(d.name); it != s.objects_by_namespace.end())
          result.fail(where + ": deleted namespace " + d.name + " still holds " +
                      std::to_string(it->second) + " objects");
      } else if (d.propagation != "Orphan") {
        if (auto it = s.objects_by_app.find(d.name); it != s.objects_by_app.end())
          result.fail(where + ": Deployment " + d.namespace_ + "/" + d.name + " deleted (" +
                      d.propagation + ") but " + std::to_string(it->second) +
                      " objects still carry app=" + d.name);
      }
    }
    ++judged;
  }
  result.counts["deletions"] = deletions.size();
  result.counts["ownership_samples"] = samples;
  result.counts["ownership_views_judged"] = judged;
  return result;
}

}  // namespace craton::sim
