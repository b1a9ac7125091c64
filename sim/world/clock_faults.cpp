// Clock faults: parsing, printing and random drawing of clock-skew and clock-drift.
#include "sim/world/clock_faults.hpp"

#include <charconv>
#include <sstream>

#include "runtime/node_clock.hpp"
#include "runtime/rng.hpp"

namespace craton::sim {
namespace {

using Kind = Fault::Kind;

constexpr std::int64_t kInitialSkewMsMax = 60000;
constexpr std::int64_t kRatePpmStep = 100;

Result<std::int64_t> parse_skew(const std::string& text) {
  if (text.empty() || (text[0] != '+' && text[0] != '-'))
    return Error{"bad_arguments", "a clock skew has a sign: '" + text + "' (e.g. +500ms, -2s)"};
  auto magnitude = parse_duration_ms(std::string_view(text).substr(1));
  if (!magnitude) return magnitude.error();
  if (*magnitude > kClockSkewMsMax)
    return Error{"bad_arguments", "a clock skew is at most 24 hours"};
  return text[0] == '-' ? -*magnitude : *magnitude;
}

Result<double> parse_rate(const std::string& text) {
  double rate = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), rate);
  if (ec != std::errc{} || ptr != text.data() + text.size() ||
      !(rate >= NodeClock::kRateMin && rate <= NodeClock::kRateMax))
    return Error{"bad_arguments", "'" + text + "' is not a clock rate in [0.5, 2] (1: exact)"};
  return rate;
}

// A rate within the drift bound, in steps of kRatePpmStep parts per million.
double draw_rate(Rng& rng) {
  auto steps = static_cast<std::int64_t>(kClockDriftMax * 1e6) / kRatePpmStep;
  auto step =
      static_cast<std::int64_t>(rng.uniform(0, static_cast<std::uint64_t>(2 * steps))) - steps;
  return 1.0 + static_cast<double>(step * kRatePpmStep) / 1e6;
}

}  // namespace

bool is_clock_fault(Fault::Kind kind) {
  return kind == Kind::clock_skew || kind == Kind::clock_drift;
}

Status parse_clock_fault(Fault::Kind kind, const std::vector<std::string>& args,
                         const std::set<std::string>& known, Fault& f) {
  bool skew = kind == Kind::clock_skew;
  if (args.size() != 2)
    return Error{"bad_arguments", skew ? "usage: clock-skew NODE +DURATION|-DURATION"
                                       : "usage: clock-drift NODE RATE"};
  if (!known.count(args[0])) return Error{"unknown_node", "unknown node '" + args[0] + "'"};
  f.nodes = {args[0]};
  if (skew) {
    auto ms = parse_skew(args[1]);
    if (!ms) return ms.error();
    f.skew_ms = *ms;
  } else {
    auto rate = parse_rate(args[1]);
    if (!rate) return rate.error();
    f.clock_rate = *rate;
  }
  return Ok{};
}

std::string describe_clock_fault(const Fault& f) {
  std::ostringstream out;
  out << ' ' << f.nodes[0] << ' ';
  if (f.kind == Kind::clock_skew)
    out << (f.skew_ms < 0 ? '-' : '+') << (f.skew_ms < 0 ? -f.skew_ms : f.skew_ms) << "ms";
  else
    out << f.clock_rate;
  return out.str();
}

std::vector<Fault> random_clock_faults(std::uint64_t seed, const std::vector<std::string>& nodes,
                                       std::int64_t settle_ms) {
  std::vector<Fault> out;
  if (nodes.empty()) return out;
  Rng rng(derive_seed(seed, "clock"));
  auto add = [&](std::int64_t at, Kind kind, const std::string& node) -> Fault& {
    Fault f;
    f.at_ms = at;
    f.kind = kind;
    f.nodes = {node};
    return out.emplace_back(std::move(f));
  };
  for (const auto& node : nodes) {
    add(0, Kind::clock_skew, node).skew_ms =
        static_cast<std::int64_t>(rng.uniform(0, 2 * kInitialSkewMsMax)) - kInitialSkewMsMax;
    add(0, Kind::clock_drift, node).clock_rate = draw_rate(rng);
  }
  for (auto t = static_cast<std::int64_t>(rng.uniform(2000, 8000)); t < settle_ms;
       t += static_cast<std::int64_t>(rng.uniform(2000, 8000)))
    add(t, Kind::clock_drift, nodes[rng.uniform(0, nodes.size() - 1)]).clock_rate = draw_rate(rng);
  return out;
}

}  // namespace craton::sim
