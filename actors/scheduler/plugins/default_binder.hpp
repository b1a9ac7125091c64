// DefaultBinder, as Kubernetes' Bind plugin of that name: binds the pod to the chosen node by
// handing it to the scheduler's BindingSink (FrameworkHandle::binding_sink), which sends the
// Binding to the API server, with the annotations plugins added to the cycle
// (binding_annotations.hpp), and reports the outcome to the actor later: binding is asynchronous
// here, where kube's plugin waits for the API call. Promise: it never answers Skip (it is the
// binder of last resort); without a sink it answers an Error rather than pretending to bind.
#pragma once

#include <memory>
#include <string_view>

#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

class DefaultBinder final : public BindPlugin {
 public:
  static constexpr std::string_view kName = "DefaultBinder";
  static constexpr std::string_view kNoSink = "DefaultBinder: the scheduler gave no BindingSink";

  /// `handle` may be nullptr (bind then answers an Error); it must outlive the plugin.
  explicit DefaultBinder(FrameworkHandle* handle) : handle_(handle) {}
  std::string_view name() const override { return kName; }
  Status bind(CycleState& state, const PodInfo& pod, std::string_view node) override;

 private:
  FrameworkHandle* handle_;
};

/// Takes no arguments.
Result<std::unique_ptr<Plugin>> make_default_binder(const PluginContext& context);

}  // namespace craton::scheduler
