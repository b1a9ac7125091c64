// What a preemption dry run asks a PreFilter plugin, for the tests of PreFilterExtensions
// (InterPodAffinity, PodTopologySpread): Filter's verdict on every node after one pod is added
// to or removed from a node, the plugin told through AddPod/RemovePod or by PreFilter run again
// over the changed node list (the framework's way without extensions); the two must agree.
#pragma once

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/scheduler/framework/cycle_state.hpp"
#include "actors/scheduler/framework/plugin.hpp"
#include "tests/scheduler/model_builders.hpp"

namespace craton::scheduler::testing {

/// A pod added to (or removed from) nodes[node].
struct DryRunChange {
  std::size_t node = 0;
  PodInfo changed;
  bool added = false;
};

/// Per node, "" when Filter passes, else its first reason, after `change`, told through the
/// plugin's extensions (`incremental`) or through PreFilter run again. A skipped PreFilter fits
/// every node (the framework runs no Filter) and, as in kube, is not told of the change.
template <class P>
std::vector<std::string> verdicts_after_change(P& plugin, const std::vector<NodeInfo>& nodes,
                                               const PodInfo& pod, const DryRunChange& change,
                                               bool incremental) {
  auto list = pointers(nodes);
  CycleState original;
  original.set_all_nodes(list);
  Status pre = plugin.pre_filter(original, pod, list);
  NodeInfo copy = nodes[change.node];
  if (change.added)
    copy.add_pod(std::make_shared<PodInfo>(change.changed));
  else
    BOOST_REQUIRE(copy.remove_pod(change.changed.uid));
  std::vector<const NodeInfo*> changed_list = list;
  changed_list[change.node] = &copy;
  CycleState state = original.clone();
  state.set_all_nodes(changed_list);
  if (incremental && !pre.is_skip()) {
    Status s = change.added ? plugin.add_pod(state, pod, change.changed, copy)
                            : plugin.remove_pod(state, pod, change.changed, copy);
    BOOST_REQUIRE(s.is_success());
  } else if (!incremental) {
    pre = plugin.pre_filter(state, pod, changed_list);
  }
  std::vector<std::string> out;
  for (const NodeInfo* n : changed_list) {
    Status s = pre.is_skip() ? Status() : plugin.filter(state, pod, *n);
    out.push_back(s.is_success() ? "" : std::string(s.reasons().front()));
  }
  return out;
}

}  // namespace craton::scheduler::testing
