// DefaultBinder: forwarding the binding to the scheduler's sink.
#include "actors/scheduler/plugins/default_binder.hpp"

#include "actors/scheduler/framework/binding_annotations.hpp"

namespace craton::scheduler {

Status DefaultBinder::bind(CycleState& state, const PodInfo& pod, std::string_view node) {
  BindingSink* sink = handle_ ? handle_->binding_sink() : nullptr;
  if (!sink) return Status::error(kNoSink);
  const auto* annotations = state.read<BindingAnnotations>();
  Status s = annotations ? sink->bind(pod, node, annotations->entries) : sink->bind(pod, node, {});
  // A sink's Skip would pass the pod to no one (DefaultBinder is last): it is an Error here.
  return s.is_skip() ? Status::error("DefaultBinder: the BindingSink answered Skip") : s;
}

Result<std::unique_ptr<Plugin>> make_default_binder(const PluginContext& context) {
  if (context.args) return Error{"bad_args", "DefaultBinder takes no arguments"};
  return std::unique_ptr<Plugin>(new DefaultBinder(context.handle));
}

}  // namespace craton::scheduler
