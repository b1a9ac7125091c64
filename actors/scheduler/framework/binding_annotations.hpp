// BindingAnnotations: what a binding carries onto its pod besides the node. Kubernetes'
// pods/binding copies the Binding's metadata.annotations onto the pod (setPodHostAndAnnotations);
// a plugin that decides more than the node (GpuShare: which GPU) records its choice there, so
// the node agent and a restarted scheduler can read it from the pod.
// How: a plugin adds entries to the cycle's BindingAnnotations at Reserve or PreBind
// (add_binding_annotation); DefaultBinder reads them (state.read<BindingAnnotations>()) and hands
// them to the BindingSink with the node. A key added twice keeps the last value. Keys must be valid
// Kubernetes annotation keys (the API refuses the binding otherwise).
#pragma once

#include <map>
#include <string>

#include "actors/scheduler/framework/cycle_state.hpp"

namespace craton::scheduler {

struct BindingAnnotations {
  std::map<std::string, std::string> entries;
};

/// Adds `key`=`value` to the annotations the cycle's binding will carry.
inline void add_binding_annotation(CycleState& state, std::string key, std::string value) {
  BindingAnnotations annotations;
  if (const auto* earlier = state.read<BindingAnnotations>()) annotations = *earlier;
  annotations.entries[std::move(key)] = std::move(value);
  state.write(std::move(annotations));  // replaced, never changed: clones keep their own
}

}  // namespace craton::scheduler
