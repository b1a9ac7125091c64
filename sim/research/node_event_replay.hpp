// How a research run replays a workload's NodeEvents (sim/workload/workload.hpp) on the
// simulated cluster. Pure: a plan of world faults and API calls, made before the run.
//
// A workload node is one simulated worker (research_scenario.hpp); its events, in time order,
// move it between up and down:
// - add: a node that is down starts its agent (world restart; the agent registers its Node
//   again). A node whose first event is an add after t = 0 is down from time 0 (it joins
//   later); an add at t <= 0 is the node's initial state (counted in `initial`).
// - remove: a node that is up stops its agent (world crash) and its Node is deleted through the
//   API at that instant (kubectl delete node): the pod GC controller then deletes the pods bound
//   to it (actors/controllers/podgc), which the recorder counts as deleted before finishing.
// - hard_error: the agent stops (world crash) and the Node stays: it goes NotReady and the node
//   lifecycle controller taints it and evicts its pods, as for a crashed machine.
// - soft_error, and any event that does not change the node's state (an add of a node that is
//   up, a remove of one that is down): not replayed, counted in `ignored`.
// Events at or after the run's end are left out (counted in `ignored`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "sim/workload/workload.hpp"
#include "sim/world/fault_schedule.hpp"

namespace craton::research {

struct NodeDeletion {
  std::int64_t at_ms = 0;  ///< simulated
  std::string node;        ///< the Node's name (the workload node's)
};

struct NodeEventPlan {
  std::vector<sim::Fault> faults;       ///< crash/restart of worker ids, in time order
  std::vector<NodeDeletion> deletions;  ///< in time order
  std::int64_t replayed = 0;            ///< events that became a fault
  std::int64_t ignored = 0;             ///< the others
  std::int64_t initial = 0;             ///< adds at t <= 0: there from the start
  std::int64_t last_ms = 0;             ///< the last replayed event (simulated; 0: none)
};

/// The plan for `events` on `nodes`, whose node i runs on world node `worker_ids[i]`; the
/// workload's t = 0 is simulated `start_ms`, and the run ends at simulated `end_ms`. Error for
/// an event naming a node not in `nodes`.
Result<NodeEventPlan> plan_node_events(const std::vector<workload::NodeEvent>& events,
                                       const std::vector<workload::Node>& nodes,
                                       const std::vector<std::string>& worker_ids,
                                       std::int64_t start_ms, std::int64_t end_ms);

}  // namespace craton::research
