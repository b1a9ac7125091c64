// Coscheduling: counting a gang, holding its members on Permit, releasing them together.
#include "actors/scheduler/plugins/coscheduling.hpp"

#include <any>
#include <charconv>

namespace craton::scheduler {

namespace {

/// The pod's group name, or "" when it is in none.
const std::string& group_of(const PodInfo& pod) {
  static const std::string none;
  auto it = pod.labels.find(std::string(kPodGroupLabel));
  return it == pod.labels.end() ? none : it->second;
}

bool same_group(const PodInfo& a, const PodInfo& b) {
  return a.namespace_ == b.namespace_ && group_of(a) == group_of(b);
}

/// min-available as a positive number, or 0 when absent or not one.
std::int64_t min_available_of(const PodInfo& pod) {
  auto it = pod.labels.find(std::string(kPodGroupMinAvailableLabel));
  if (it == pod.labels.end()) return 0;
  std::int64_t n = 0;
  const auto& text = it->second;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  return error == std::errc() && end == text.data() + text.size() && n > 0 ? n : 0;
}

/// Members of the pod's group already holding room on the cycle's nodes: bound, binding, or
/// waiting on Permit (a waiting pod stays assumed). The pod itself is not counted.
std::int64_t members_placed(const CycleState& state, const PodInfo& pod) {
  std::int64_t count = 0;
  for (const NodeInfo* node : state.all_nodes())
    for (const auto& p : node->pods())
      if (p->uid != pod.uid && !p->terminating && same_group(*p, pod)) ++count;
  return count;
}

}  // namespace

PermitDecision Coscheduling::permit(CycleState& state, const PodInfo& pod, std::string_view) {
  if (group_of(pod).empty()) return {};
  std::int64_t min_available = min_available_of(pod);
  if (min_available == 0)
    return {Status::unresolvable(state.keep_text("pod group " + group_of(pod) + ": label " +
                                                 std::string(kPodGroupMinAvailableLabel) +
                                                 " is not a positive integer")),
            0};
  WaitingPods* waiting = handle_ ? handle_->waiting_pods() : nullptr;
  if (waiting == nullptr)
    return {Status::error("Coscheduling: this scheduler parks no pods on Permit"), 0};
  if (members_placed(state, pod) + 1 < min_available)
    return {Status(Code::wait, {}), args_.permit_waiting_time_ms};
  // The gang is complete: its waiting members go on to bind with this one.
  waiting->iterate([&](WaitingPod& member) {
    if (same_group(member.pod(), pod)) member.allow(kName);
  });
  return {};
}

void Coscheduling::unreserve(CycleState&, const PodInfo& pod, std::string_view) {
  WaitingPods* waiting = handle_ ? handle_->waiting_pods() : nullptr;
  if (group_of(pod).empty() || waiting == nullptr) return;
  waiting->iterate([&](WaitingPod& member) {
    if (member.pod().uid != pod.uid && same_group(member.pod(), pod))
      member.reject(kName, std::string(kRejectedInUnreserve));
  });
}

Result<std::unique_ptr<Plugin>> make_coscheduling(const PluginContext& context) {
  static const CoschedulingArgs defaults;
  const CoschedulingArgs* args = &defaults;
  if (context.args) {
    args = std::any_cast<CoschedulingArgs>(context.args);
    if (!args) return Error{"bad_args", "arguments are not CoschedulingArgs"};
  }
  if (args->permit_waiting_time_ms <= 0)
    return Error{"bad_args", "permitWaitingTimeSeconds must be positive"};
  return std::unique_ptr<Plugin>(new Coscheduling(*args, context.handle));
}

}  // namespace craton::scheduler
