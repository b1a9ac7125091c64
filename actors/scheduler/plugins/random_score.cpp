// RandomScore: a seeded pseudo-random score per pod and node.
#include "actors/scheduler/plugins/random_score.hpp"

#include <any>

#include "actors/scheduler/framework/seeded_random.hpp"

namespace craton::scheduler {

Status RandomScore::score(const CycleState&, const PodInfo& pod, const NodeInfo& node,
                          std::int64_t& score) const {
  std::uint64_t h = mix_text(mix_text(seed_, pod.uid), node.name());
  score = static_cast<std::int64_t>(h % static_cast<std::uint64_t>(kMaxNodeScore + 1));
  return {};
}

Result<std::unique_ptr<Plugin>> make_random_score(const PluginContext& context) {
  RandomScoreArgs args;
  if (context.args) {
    const auto* given = std::any_cast<RandomScoreArgs>(context.args);
    if (!given) return Error{"bad_args", "arguments are not RandomScoreArgs"};
    args = *given;
  }
  return std::unique_ptr<Plugin>(new RandomScore(args.seed));
}

}  // namespace craton::scheduler
