// The scheduler checker's rules (see the header).
#include "sim/scheduler/scheduler_checker.hpp"

#include <cstdlib>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

namespace craton::sim {
namespace {

/// One scheduler probe, read from the text the scheduler writes (see the header).
struct Probe {
  enum class Kind { acts, waits, binds, bound };
  Kind kind = Kind::acts;
  std::string pod, node;
  int code = 0;
};

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto space = text.find(' ');
    if (space != 0) out.push_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return out;
}

std::optional<Probe> read_probe(std::string_view text) {
  if (text == "scheduler leading: acts") return Probe{Probe::Kind::acts, {}, {}, 0};
  if (text == "scheduler not leading: waits") return Probe{Probe::Kind::waits, {}, {}, 0};
  auto w = words(text);
  if (w.size() == 4 && w[0] == "scheduler" && w[1] == "binds")
    return Probe{Probe::Kind::binds, std::string(w[2]), std::string(w[3]), 0};
  if (w.size() == 5 && w[0] == "scheduler" && w[1] == "bound")
    return Probe{Probe::Kind::bound, std::string(w[2]), std::string(w[3]),
                 std::atoi(std::string(w[4]).c_str())};
  return std::nullopt;
}

std::string instance_of(const Observation& o) {
  return o.node + "#" + std::to_string(o.incarnation);
}

std::string resources(const SchedulerResources& r) {
  return std::to_string(r.cpu_milli) + "m cpu, " + std::to_string(r.memory_bytes) + " B memory, " +
         std::to_string(r.pods) + " pods";
}

bool exceeds(const SchedulerResources& used, const SchedulerResources& limit) {
  return used.cpu_milli > limit.cpu_milli || used.memory_bytes > limit.memory_bytes ||
         used.pods > limit.pods;
}

bool known(const SchedulerView::NodeRoom& room) {
  return !(room.allocatable == SchedulerResources{});
}

// ---- Capacity and bound once, over every view.

struct Placement {
  std::string node;
  std::int64_t time_ms = 0;
  std::string seen_by;
};

/// What the views showed so far; a broken rule is reported once per node or pod, so that the
/// other rules' failures still fit in the report.
struct Views {
  std::map<std::string, Placement> placed;  ///< by uid
  std::set<std::string> over;               ///< nodes seen over their allocatable
  std::set<std::string> moved;              ///< uids seen on two nodes
  std::uint64_t overcommitted = 0;          ///< views with a node over its allocatable (all pods)
};

void check_view(const Observation& o, const SchedulerView& view, Views& seen, CheckResult& result) {
  auto where = "at " + std::to_string(o.time_ms) + " ms " + o.node + "'s auditor";
  bool over = false;
  for (const auto& [name, room] : view.nodes)
    over = over || (known(room) && exceeds(room.requested, room.allocatable));
  seen.overcommitted += over;
  for (const auto& [name, room] : view.nodes) {
    if (!known(room) || !exceeds(room.requested, room.allocatable) ||
        !seen.over.insert(name).second)
      continue;
    result.fail(where + " sees node " + name + " over its allocatable: requests " +
                resources(room.requested) + " > " + resources(room.allocatable) +
                " (reported once per node)");
  }
  for (const auto& [uid, pod] : view.pods) {
    if (pod.node.empty()) continue;
    auto [it, first] = seen.placed.try_emplace(uid, Placement{pod.node, o.time_ms, o.node});
    if (!first && it->second.node != pod.node && seen.moved.insert(uid).second)
      result.fail(where + " sees pod " + pod.name + " (" + uid + ") bound to " + pod.node + "; " +
                  it->second.seen_by + "'s auditor saw it on " + it->second.node + " at " +
                  std::to_string(it->second.time_ms) + " ms");
  }
}

// ---- Leadership terms and bindings, from the probes.

struct Term {
  std::string instance;
  std::int64_t start_ms = 0;
  std::optional<std::int64_t> last_accepted_send_ms;
};

struct AcceptedBinding {
  std::string instance;
  std::string pod, node;
  std::int64_t sent_ms = 0;
};

struct Bindings {
  std::vector<Term> terms;
  std::vector<AcceptedBinding> accepted;
  std::uint64_t sent = 0;
};

struct Sending {
  std::int64_t sent_ms = 0;
  std::optional<std::size_t> term;  ///< the term it was sent in (none: a failure already)
};

struct InstanceState {
  std::optional<std::size_t> term;         ///< the term it is in (index into terms)
  std::map<std::string, Sending> sending;  ///< by pod
};

void take_probe(const Observation& o, const Probe& p, std::map<std::string, InstanceState>& states,
                Bindings& b, CheckResult& result) {
  auto instance = instance_of(o);
  auto& st = states[instance];
  switch (p.kind) {
    case Probe::Kind::acts:
      b.terms.push_back(Term{instance, o.time_ms, std::nullopt});
      st.term = b.terms.size() - 1;
      return;
    case Probe::Kind::waits:
      st.term.reset();
      return;
    case Probe::Kind::binds:
      ++b.sent;
      if (!st.term)
        result.fail("at " + std::to_string(o.time_ms) + " ms scheduler " + instance + " binds " +
                    p.pod + " to " + p.node + " while not leading");
      st.sending[p.pod] = Sending{o.time_ms, st.term};
      return;
    case Probe::Kind::bound: {
      auto it = st.sending.find(p.pod);
      if (it == st.sending.end()) return;
      auto sending = it->second;
      st.sending.erase(it);
      if (p.code < 200 || p.code > 299) return;
      b.accepted.push_back(AcceptedBinding{instance, p.pod, p.node, sending.sent_ms});
      if (!sending.term) return;
      auto& last = b.terms[*sending.term].last_accepted_send_ms;
      if (!last || *last < sending.sent_ms) last = sending.sent_ms;
      return;
    }
  }
}

void check_one_binder(const Bindings& b, CheckResult& result) {
  std::map<std::string, int> accepted_per_pod;
  for (const auto& a : b.accepted)
    if (++accepted_per_pod[a.pod] == 2)
      result.fail("the API accepted two bindings of " + a.pod + " (the second from scheduler " +
                  a.instance + " to " + a.node + ")");
  std::uint64_t with_bindings = 0;
  for (const auto& term : b.terms) {
    if (!term.last_accepted_send_ms) continue;
    ++with_bindings;
    for (const auto& a : b.accepted)
      if (a.instance != term.instance && a.sent_ms >= term.start_ms &&
          a.sent_ms <= *term.last_accepted_send_ms)
        result.fail("scheduler " + a.instance + " bound " + a.pod + " to " + a.node + " (sent at " +
                    std::to_string(a.sent_ms) + " ms) inside the term of " + term.instance +
                    " (leading from " + std::to_string(term.start_ms) +
                    " ms, its last accepted binding sent at " +
                    std::to_string(*term.last_accepted_send_ms) + " ms)");
  }
  result.counts["terms_with_bindings"] = with_bindings;
}

// ---- Convergence, over the last view of each auditor alive at the end.

std::optional<std::string> room_for(const SchedulerView& view, const SchedulerResources& request) {
  for (const auto& [name, room] : view.nodes) {
    if (!known(room)) continue;
    SchedulerResources after{room.requested.cpu_milli + request.cpu_milli,
                             room.requested.memory_bytes + request.memory_bytes,
                             room.requested.pods + 1};
    if (!exceeds(after, room.allocatable)) return name;
  }
  return std::nullopt;
}

void check_convergence(const RunHistory& history,
                       const std::map<std::string, const Observation*>& last, CheckResult& result) {
  std::uint64_t converged = 0, bound = 0, pending = 0;
  for (const auto& [node, state] : history.final_state) {
    if (!state.up) continue;
    auto it = last.find(node + "#" + std::to_string(state.incarnation));
    if (it == last.end()) {
      result.fail(node + "'s auditor (alive at the end) never saw the pods and nodes listed");
      continue;
    }
    const auto& view = std::get<SchedulerView>(it->second->event);
    bool ok = true;
    for (const auto& [uid, pod] : view.pods) {
      if (!pod.node.empty()) {
        ++bound;
        continue;
      }
      ++pending;
      if (auto fits = room_for(view, pod.request)) {
        ok = false;
        result.fail("at the end (" + node + "'s auditor, " + std::to_string(it->second->time_ms) +
                    " ms) pod " + pod.name + " (" + resources(pod.request) +
                    ") is pending though it fits " + *fits);
      }
    }
    converged += ok;
  }
  result.counts["auditors_converged"] = converged;
  result.counts["pods_bound_at_end"] = bound;
  result.counts["pods_pending_at_end"] = pending;
}

}  // namespace

CheckResult check_scheduling(const RunHistory& history) {
  CheckResult result;
  std::map<std::string, InstanceState> states;
  Bindings bindings;
  for (const auto& o : history.observations)
    if (const auto* text = std::get_if<TextEvent>(&o.event))
      if (auto probe = read_probe(text->text)) take_probe(o, *probe, states, bindings, result);
  Views seen;
  std::map<std::string, const Observation*> last_view;  ///< by instance
  std::uint64_t views = 0;
  for (const auto& o : history.observations) {
    if (const auto* view = std::get_if<SchedulerView>(&o.event)) {
      ++views;
      check_view(o, *view, seen, result);
      last_view[instance_of(o)] = &o;
    }
  }
  check_one_binder(bindings, result);
  check_convergence(history, last_view, result);
  result.counts["scheduler_views_judged"] = views;
  result.counts["views_overcommitted"] = seen.overcommitted;
  result.counts["bindings_sent"] = bindings.sent;
  result.counts["bindings_accepted"] = bindings.accepted.size();
  result.counts["leader_terms"] = bindings.terms.size();
  return result;
}

}  // namespace craton::sim
