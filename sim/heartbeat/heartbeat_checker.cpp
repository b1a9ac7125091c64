#include "sim/heartbeat/heartbeat_checker.hpp"

#include <set>

#include "actors/detector/core.hpp"

namespace craton::sim {
namespace {

// The set of peers `watcher` suspects at the end of its last incarnation.
std::set<std::string> final_suspicions(const RunHistory& h, const std::string& watcher,
                                       std::uint64_t incarnation) {
  std::set<std::string> suspected;
  for (const auto& o : h.observations) {
    // The detector is a production actor: it reports text probes ("suspect n3", "trust n3").
    const auto* text = std::get_if<TextEvent>(&o.event);
    if (o.node != watcher || o.incarnation != incarnation || text == nullptr) continue;
    if (text->text.rfind("suspect ", 0) == 0) suspected.insert(text->text.substr(8));
    if (text->text.rfind("trust ", 0) == 0) suspected.erase(text->text.substr(6));
  }
  return suspected;
}

bool is_up(const RunHistory& h, const std::string& node) {
  auto it = h.final_state.find(node);
  return it != h.final_state.end() && it->second.up;
}

}  // namespace

CheckResult check_heartbeat_history(const RunHistory& history, std::size_t watchers) {
  CheckResult result;
  for (const auto& watcher : history.nodes) {
    if (!is_up(history, watcher)) continue;
    auto incarnation = history.final_state.at(watcher).incarnation;
    auto suspected = final_suspicions(history, watcher, incarnation);
    for (const auto& peer : detector::ring_plan(history.nodes, watcher, watchers).watch) {
      bool peer_up = is_up(history, peer);
      bool suspects = suspected.count(peer) > 0;
      if (!peer_up && !suspects) result.fail(watcher + " never suspected crashed node " + peer);
      if (peer_up && suspects)
        result.fail(watcher + " still suspects live node " + peer + " at the end");
    }
  }
  return result;
}

}  // namespace craton::sim
