// RandomScore: the "random fit" baseline of scheduling research as a Score plugin: every node
// gets a pseudo-random score 0..100 from the seed, the pod's uid and the node's name
// (seeded_random.hpp's mix_text), so the same seed gives the same placements on every run and
// machine, and different pods spread independently. With no other Score plugin in the profile,
// the pod goes to a uniformly random feasible node (ties broken by the cycle's own seed).
#pragma once

#include <cstdint>
#include <memory>

#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

struct RandomScoreArgs {
  std::uint64_t seed = 0;
};

class RandomScore final : public ScorePlugin {
 public:
  static constexpr std::string_view kName = "RandomScore";
  explicit RandomScore(std::uint64_t seed) : seed_(seed) {}
  std::string_view name() const override { return kName; }
  Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
               std::int64_t& score) const override;

 private:
  std::uint64_t seed_;
};

/// Arguments: RandomScoreArgs, or none for seed 0.
Result<std::unique_ptr<Plugin>> make_random_score(const PluginContext& context);

}  // namespace craton::scheduler
