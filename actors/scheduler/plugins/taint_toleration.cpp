// TaintToleration: taints against tolerations.
#include "actors/scheduler/plugins/taint_toleration.hpp"

#include "actors/scheduler/plugins/score_normalization.hpp"

namespace craton::scheduler {

namespace {

bool tolerated(const Taint& taint, const std::vector<Toleration>& tolerations) {
  for (const auto& t : tolerations)
    if (t.tolerates(taint)) return true;
  return false;
}

/// The pod's tolerations that can tolerate a PreferNoSchedule taint (PreScore's state).
struct PreferNoScheduleTolerations {
  std::vector<Toleration> tolerations;
};

}  // namespace

Status TaintToleration::filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  for (const auto& taint : node.taints()) {
    if (taint.effect != TaintEffect::no_schedule && taint.effect != TaintEffect::no_execute)
      continue;
    if (!tolerated(taint, pod.tolerations)) return Status::unresolvable(taint.untolerated_reason);
  }
  return {};
}

Status TaintToleration::pre_score(CycleState& state, const PodInfo& pod,
                                  std::span<const NodeInfo* const>) {
  PreferNoScheduleTolerations kept;
  for (const auto& t : pod.tolerations)
    if (t.effect == TaintEffect::none || t.effect == TaintEffect::prefer_no_schedule)
      kept.tolerations.push_back(t);
  state.write(std::move(kept));
  return {};
}

Status TaintToleration::score(const CycleState& state, const PodInfo&, const NodeInfo& node,
                              std::int64_t& score) const {
  const auto* kept = state.read<PreferNoScheduleTolerations>();
  if (!kept) return Status::error("TaintToleration: PreScore state missing");
  score = 0;
  for (const auto& taint : node.taints())
    if (taint.effect == TaintEffect::prefer_no_schedule && !tolerated(taint, kept->tolerations))
      ++score;
  return {};
}

Status TaintToleration::normalize_score(const CycleState&, const PodInfo&,
                                        std::span<NodeScore> scores) const {
  default_normalize_score(kMaxNodeScore, true, scores);
  return {};
}

Result<std::unique_ptr<Plugin>> make_taint_toleration(const PluginContext&) {
  return std::unique_ptr<Plugin>(new TaintToleration());
}

}  // namespace craton::scheduler
