// NodeResourcesFit: room for the pod's requests, and the allocation score strategies.
#include "actors/scheduler/plugins/node_resources_fit.hpp"

#include <algorithm>
#include <any>
#include <cmath>

namespace craton::scheduler {

namespace {
constexpr std::int64_t kMaxUtilization = 100;
constexpr std::int64_t kMaxCustomPriorityScore = 10;
}  // namespace

Result<std::unique_ptr<NodeResourcesFit>> NodeResourcesFit::create(const NodeResourcesFitArgs& args,
                                                                   ResourceNames& names) {
  std::unique_ptr<NodeResourcesFit> p(new NodeResourcesFit(names));
  auto resources = scored_resources(args.resources, names);
  if (!resources) return resources.error();
  p->resources_ = std::move(*resources);
  p->strategy_ = args.scoring_strategy;
  for (const auto& r : args.ignored_resources) p->ignored_.push_back(names.intern(r));
  if (args.scoring_strategy == ScoringStrategyType::requested_to_capacity_ratio) {
    if (args.shape.empty() || args.shape.size() > kShapePointsMax)
      return Error{"bad_args", "shape: between 1 and 16 points"};
    std::int32_t previous = -1;
    for (const auto& point : args.shape) {
      if (point.utilization < 0 || point.utilization > 100 || point.utilization <= previous)
        return Error{"bad_args", "shape: utilization must increase within 0..100"};
      if (point.score < 0 || point.score > kMaxCustomPriorityScore)
        return Error{"bad_args", "shape: score must be within 0..10"};
      previous = point.utilization;
      p->shape_.push_back(
          {point.utilization,
           static_cast<std::int32_t>(point.score * (kMaxNodeScore / kMaxCustomPriorityScore))});
    }
  }
  return p;
}

Status NodeResourcesFit::filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  Status out(Code::unschedulable, {});
  if (static_cast<std::int64_t>(node.pods().size()) + 1 > node.allocatable().pods)
    out.add_reason(kTooManyPods);
  const Resources& want = pod.requests;
  const Resources& have = node.allocatable();
  const Resources& used = node.requested();
  if (want.milli_cpu > 0 && want.milli_cpu > have.milli_cpu - used.milli_cpu)
    out.add_reason(names_.insufficient_reason(kCpu));
  if (want.memory_bytes > 0 && want.memory_bytes > have.memory_bytes - used.memory_bytes)
    out.add_reason(names_.insufficient_reason(kMemory));
  if (want.ephemeral_storage_bytes > 0 &&
      want.ephemeral_storage_bytes > have.ephemeral_storage_bytes - used.ephemeral_storage_bytes)
    out.add_reason(names_.insufficient_reason(kEphemeralStorage));
  for (const auto& e : want.extended) {
    if (std::find(ignored_.begin(), ignored_.end(), e.id) != ignored_.end()) continue;
    if (e.amount > have.get(e.id) - used.get(e.id) && out.reasons().size() < kStatusReasonsMax)
      out.add_reason(names_.insufficient_reason(e.id));
  }
  return out.reasons().empty() ? Status::success() : out;
}

Status NodeResourcesFit::score(const CycleState&, const PodInfo& pod, const NodeInfo& node,
                               std::int64_t& score) const {
  auto v = allocation_with_pod(pod, node, resources_, false);
  switch (strategy_) {
    case ScoringStrategyType::least_allocated:
      score = least_allocated(v);
      break;
    case ScoringStrategyType::most_allocated:
      score = most_allocated(v);
      break;
    case ScoringStrategyType::requested_to_capacity_ratio:
      score = requested_to_capacity_ratio(v);
      break;
  }
  return {};
}

std::int64_t NodeResourcesFit::least_allocated(const AllocationVector& v) const {
  std::int64_t total = 0, weights = 0;
  for (std::size_t i = 0; i < v.size; ++i) {
    if (v.allocatable[i] == 0) continue;
    std::int64_t free = v.allocatable[i] - v.requested[i];
    std::int64_t s = free < 0 ? 0 : free * kMaxNodeScore / v.allocatable[i];
    total += s * resources_[i].weight;
    weights += resources_[i].weight;
  }
  return weights == 0 ? 0 : total / weights;
}

std::int64_t NodeResourcesFit::most_allocated(const AllocationVector& v) const {
  std::int64_t total = 0, weights = 0;
  for (std::size_t i = 0; i < v.size; ++i) {
    if (v.allocatable[i] == 0) continue;
    std::int64_t used = std::min(v.requested[i], v.allocatable[i]);
    total += used * kMaxNodeScore / v.allocatable[i] * resources_[i].weight;
    weights += resources_[i].weight;
  }
  return weights == 0 ? 0 : total / weights;
}

std::int64_t NodeResourcesFit::shape_score(std::int64_t utilization) const {
  // Kubernetes' BuildBrokenLinearFunction: flat before the first point and after the last,
  // linear (integer arithmetic) between points.
  for (std::size_t i = 0; i < shape_.size(); ++i) {
    if (utilization > shape_[i].utilization) continue;
    if (i == 0) return shape_[0].score;
    const auto& a = shape_[i - 1];
    const auto& b = shape_[i];
    return a.score + std::int64_t{b.score - a.score} * (utilization - a.utilization) /
                         (b.utilization - a.utilization);
  }
  return shape_.back().score;
}

std::int64_t NodeResourcesFit::requested_to_capacity_ratio(const AllocationVector& v) const {
  std::int64_t total = 0, weights = 0;
  for (std::size_t i = 0; i < v.size; ++i) {
    if (v.allocatable[i] == 0) continue;
    std::int64_t s = v.requested[i] > v.allocatable[i]
                         ? shape_score(kMaxUtilization)
                         : shape_score(v.requested[i] * kMaxUtilization / v.allocatable[i]);
    if (s <= 0) continue;
    total += s * resources_[i].weight;
    weights += resources_[i].weight;
  }
  if (weights == 0) return 0;
  return static_cast<std::int64_t>(std::llround(static_cast<double>(total) / weights));
}

Result<std::unique_ptr<Plugin>> make_node_resources_fit(const PluginContext& context) {
  NodeResourcesFitArgs defaults;
  const NodeResourcesFitArgs* args = &defaults;
  if (context.args) {
    args = std::any_cast<NodeResourcesFitArgs>(context.args);
    if (!args) return Error{"bad_args", "arguments are not NodeResourcesFitArgs"};
  }
  auto p = NodeResourcesFit::create(*args, context.resources);
  if (!p) return p.error();
  return std::unique_ptr<Plugin>(std::move(*p));
}

}  // namespace craton::scheduler
