#include "sim/world/fault_schedule.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <sstream>

#include "runtime/rng.hpp"
#include "sim/world/clock_faults.hpp"

namespace craton::sim {
namespace {

constexpr std::int64_t kDurationMsMax = 24LL * 3600 * 1000;
constexpr std::size_t kLineBytesMax = 4096;
constexpr std::int64_t kDiskSlowMsMax = 10000;  // a sync slower than this is a dead disk

using Kind = Fault::Kind;

const std::map<std::string, Kind, std::less<>>& kind_names() {
  static const std::map<std::string, Kind, std::less<>> names{
      {"partition", Kind::partition}, {"oneway", Kind::oneway},   {"heal", Kind::heal},
      {"crash", Kind::crash},         {"restart", Kind::restart}, {"pause", Kind::pause},
      {"resume", Kind::resume},       {"loss", Kind::loss},       {"duplicate", Kind::duplicate},
      {"latency", Kind::latency}};
  return names;
}

const std::map<std::string, Kind, std::less<>>& disk_kind_names() {
  static const std::map<std::string, Kind, std::less<>> names{{"disk-full", Kind::disk_full},
                                                              {"disk-ok", Kind::disk_ok},
                                                              {"fsync-fail", Kind::fsync_fail},
                                                              {"disk-slow", Kind::disk_slow}};
  return names;
}

const std::map<std::string, Kind, std::less<>>& clock_kind_names() {
  static const std::map<std::string, Kind, std::less<>> names{{"clock-skew", Kind::clock_skew},
                                                              {"clock-drift", Kind::clock_drift}};
  return names;
}

std::string_view kind_name(Kind k) {
  for (const auto* names : {&kind_names(), &disk_kind_names(), &clock_kind_names()})
    for (const auto& [name, kind] : *names)
      if (kind == k) return name;
  return "?";
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.push_back(trim(s.substr(start, pos == std::string_view::npos ? pos : pos - start)));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

std::vector<std::string> words(std::string_view line) {
  std::istringstream in{std::string(line)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

Error line_error(std::size_t line, const std::string& message) {
  return Error{"bad_fault_file", "line " + std::to_string(line) + ": " + message};
}

Result<double> parse_probability(const std::string& text) {
  double p = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !(p >= 0.0 && p <= 1.0))
    return Error{"bad_probability", "'" + text + "' is not a probability in [0, 1]"};
  return p;
}

Status check_node(const std::string& node, const std::set<std::string>& known) {
  if (!known.count(node)) return Error{"unknown_node", "unknown node '" + node + "'"};
  return Ok{};
}

Status parse_partition(const std::string& rest, const std::set<std::string>& known, Fault& f) {
  std::set<std::string> seen;
  for (const auto& group_text : split(rest, '|')) {
    std::vector<std::string> group;
    for (const auto& node : split(group_text, ',')) {
      if (auto s = check_node(node, known); !s) return s;
      if (!seen.insert(node).second)
        return Error{"bad_partition", "node '" + node + "' is in two groups"};
      group.push_back(node);
    }
    f.groups.push_back(std::move(group));
  }
  if (f.groups.size() < 2)
    return Error{"bad_partition", "a partition needs at least two groups separated by '|'"};
  return Ok{};
}

Status parse_latency(const std::vector<std::string>& w, Fault& f) {
  if (w.size() != 3)
    return Error{"bad_latency",
                 "expected 'latency uniform MIN MAX' or 'latency exponential MEAN MAX'"};
  auto a = parse_duration_ms(w[1]);
  if (!a) return a.error();
  auto b = parse_duration_ms(w[2]);
  if (!b) return b.error();
  if (*a > *b) return Error{"bad_latency", "the first bound exceeds the maximum"};
  if (w[0] == "uniform") {
    f.latency = {LatencyDistribution::Kind::uniform, *a, *b, 0};
  } else if (w[0] == "exponential") {
    f.latency = {LatencyDistribution::Kind::exponential, 0, *b, *a};
  } else {
    return Error{"bad_latency", "unknown distribution '" + w[0] + "' (uniform, exponential)"};
  }
  return Ok{};
}

// A disk fault's arguments: NODE, and for disk-slow the time each sync takes.
Status parse_disk(Kind kind, const std::vector<std::string>& args,
                  const std::set<std::string>& known, Fault& f) {
  bool slow = kind == Kind::disk_slow;
  if (args.size() != (slow ? 2u : 1u))
    return Error{"bad_arguments", slow ? "usage: disk-slow NODE DURATION"
                                       : "usage: disk-full|disk-ok|fsync-fail NODE"};
  if (auto s = check_node(args[0], known); !s) return s;
  f.nodes = {args[0]};
  if (slow) {
    auto d = parse_duration_ms(args[1]);
    if (!d) return d.error();
    if (*d > kDiskSlowMsMax)
      return Error{"bad_arguments",
                   "disk-slow takes at most " + std::to_string(kDiskSlowMsMax) + "ms per sync"};
    f.duration_ms = *d;
  }
  return Ok{};
}

// Parses the part after "at <time>": the command and its arguments.
Status parse_command(std::string_view text, const std::set<std::string>& known, Fault& f) {
  auto w = words(text);
  if (w.empty()) return Error{"missing_command", "missing fault after the time"};
  auto it = kind_names().find(w[0]);
  if (it != kind_names().end()) {
    f.kind = it->second;
  } else if (auto disk = disk_kind_names().find(w[0]); disk != disk_kind_names().end()) {
    f.kind = disk->second;
  } else if (auto clock = clock_kind_names().find(w[0]); clock != clock_kind_names().end()) {
    f.kind = clock->second;
  } else {
    return Error{"unknown_fault", "unknown fault '" + w[0] + "'"};
  }
  std::vector<std::string> args(w.begin() + 1, w.end());
  auto want = [&](std::size_t n, const char* usage) -> Status {
    if (args.size() != n) return Error{"bad_arguments", std::string("usage: ") + usage};
    return Ok{};
  };
  switch (f.kind) {
    case Kind::partition: {
      auto pos = text.find("partition");
      return parse_partition(std::string(text.substr(pos + 9)), known, f);
    }
    case Kind::oneway:
      if (auto s = want(3, "oneway FROM -> TO"); !s || args[1] != "->")
        return Error{"bad_arguments", "usage: oneway FROM -> TO"};
      for (auto* n : {&args[0], &args[2]})
        if (auto s = check_node(*n, known); !s) return s;
      if (args[0] == args[2]) return Error{"bad_arguments", "oneway needs two different nodes"};
      f.nodes = {args[0], args[2]};
      return Ok{};
    case Kind::heal:
      return want(0, "heal");
    case Kind::crash:
    case Kind::restart:
    case Kind::pause:
    case Kind::resume:
      if (auto s = want(1, "crash|restart|pause|resume NODE"); !s) return s;
      if (auto s = check_node(args[0], known); !s) return s;
      f.nodes = {args[0]};
      return Ok{};
    case Kind::loss:
    case Kind::duplicate: {
      if (auto s = want(1, "loss|duplicate PROBABILITY"); !s) return s;
      auto p = parse_probability(args[0]);
      if (!p) return p.error();
      f.probability = *p;
      return Ok{};
    }
    case Kind::latency:
      return parse_latency(args, f);
    case Kind::disk_full:
    case Kind::disk_ok:
    case Kind::fsync_fail:
    case Kind::disk_slow:
      return parse_disk(f.kind, args, known, f);
    case Kind::clock_skew:
    case Kind::clock_drift:
      return parse_clock_fault(f.kind, args, known, f);
  }
  return Ok{};
}

Result<Fault> parse_line(std::string_view line, const std::set<std::string>& known) {
  auto w = words(line);
  if (w.size() < 2 || w[0] != "at") return Error{"bad_line", "expected 'at <time> <fault> ...'"};
  Fault f;
  auto t = parse_duration_ms(w[1]);
  if (!t) return t.error();
  f.at_ms = *t;
  auto rest = line.substr(line.find(w[1], line.find("at") + 2) + w[1].size());
  if (auto s = parse_command(rest, known, f); !s) return s.error();
  return f;
}

}  // namespace

bool is_disk_fault(Fault::Kind kind) {
  return kind == Kind::disk_full || kind == Kind::disk_ok || kind == Kind::fsync_fail ||
         kind == Kind::disk_slow;
}

std::string Fault::describe() const {
  std::ostringstream out;
  out << kind_name(kind);
  switch (kind) {
    case Kind::partition:
      for (std::size_t g = 0; g < groups.size(); ++g) {
        out << (g ? " | " : " ");
        for (std::size_t i = 0; i < groups[g].size(); ++i) out << (i ? "," : "") << groups[g][i];
      }
      break;
    case Kind::oneway:
      out << ' ' << nodes[0] << " -> " << nodes[1];
      break;
    case Kind::crash:
    case Kind::restart:
    case Kind::pause:
    case Kind::resume:
      out << ' ' << nodes[0];
      break;
    case Kind::loss:
    case Kind::duplicate:
      out << ' ' << probability;
      break;
    case Kind::latency:
      if (latency.kind == LatencyDistribution::Kind::uniform)
        out << " uniform " << latency.min_ms << "ms " << latency.max_ms << "ms";
      else
        out << " exponential " << latency.mean_ms << "ms " << latency.max_ms << "ms";
      break;
    case Kind::heal:
      break;
    case Kind::disk_full:
    case Kind::disk_ok:
    case Kind::fsync_fail:
      out << ' ' << nodes[0];
      break;
    case Kind::disk_slow:
      out << ' ' << nodes[0] << ' ' << duration_ms << "ms";
      break;
    case Kind::clock_skew:
    case Kind::clock_drift:
      out << describe_clock_fault(*this);
      break;
  }
  return out.str();
}

Result<std::int64_t> parse_duration_ms(std::string_view text) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(ptr, text.data() + text.size() - ptr);
  std::int64_t scale = unit == "ms" ? 1 : unit == "s" ? 1000 : unit == "m" ? 60000 : 0;
  if (ec != std::errc{} || ptr == text.data() || value < 0 || scale == 0)
    return Error{"bad_duration",
                 "'" + std::string(text) + "' is not a duration (e.g. 250ms, 5s, 2m)"};
  if (value > kDurationMsMax / scale)
    return Error{"bad_duration", "'" + std::string(text) + "' exceeds 24 hours"};
  return value * scale;
}

Result<std::vector<Fault>> parse_fault_file(std::string_view text,
                                            const std::vector<std::string>& nodes) {
  if (text.size() > kFaultFileBytesMax)
    return Error{"bad_fault_file",
                 "fault file exceeds " + std::to_string(kFaultFileBytesMax) + " bytes"};
  std::set<std::string> known(nodes.begin(), nodes.end());
  std::vector<Fault> faults;
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto raw = text.substr(start, end - start);
    start = end + 1;
    if (++number > kFaultLinesMax)
      return line_error(number, "too many lines (max " + std::to_string(kFaultLinesMax) + ")");
    if (raw.size() > kLineBytesMax) return line_error(number, "line too long");
    auto line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    auto fault = parse_line(line, known);
    if (!fault) return line_error(number, fault.error().message);
    faults.push_back(std::move(*fault));
  }
  std::stable_sort(faults.begin(), faults.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
  return faults;
}

Status validate_schedule(const std::vector<Fault>& faults, const std::vector<std::string>& nodes,
                         std::int64_t settle_ms) {
  std::map<std::string, char> state;  // 'u' up, 'c' crashed, 'p' paused
  for (const auto& n : nodes) state[n] = 'u';
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const auto& f = faults[i];
    auto fail = [&](const std::string& why) -> Status {
      return Error{"bad_schedule", "fault " + std::to_string(i + 1) + " (at " +
                                       std::to_string(f.at_ms) + "ms " + f.describe() +
                                       "): " + why};
    };
    if (f.at_ms >= settle_ms)
      return fail("faults must happen before the settle point at " + std::to_string(settle_ms) +
                  "ms (60% of the run) so that convergence can be checked");
    if (f.nodes.empty() || f.kind == Kind::oneway || is_disk_fault(f.kind) ||
        is_clock_fault(f.kind))
      continue;
    char& s = state[f.nodes[0]];
    char need = f.kind == Kind::restart ? 'c' : f.kind == Kind::resume ? 'p' : 'u';
    if (s != need)
      return fail(std::string("node is ") + (s == 'u' ? "up" : s == 'c' ? "crashed" : "paused"));
    s = f.kind == Kind::crash ? 'c' : f.kind == Kind::pause ? 'p' : 'u';
  }
  return Ok{};
}

namespace {

// Draws one random fault at a time and tracks which nodes are crashed or paused, so that the
// schedule stays valid and at most a minority of the nodes is impaired at once.
class RandomFaultDrawer {
 public:
  RandomFaultDrawer(std::uint64_t seed, const std::vector<std::string>& nodes)
      : rng_(seed), nodes_(nodes), impaired_max_(nodes.empty() ? 0 : (nodes.size() - 1) / 2) {}

  Rng& rng() { return rng_; }
  const std::vector<std::string>& crashed() const { return crashed_; }

  /// Fills `f` (kind and arguments); false if the drawn kind does not apply now.
  bool draw(Fault& f) {
    switch (rng_.uniform(0, 10)) {
      case 0:
      case 1:
        return draw_partition(f);
      case 2:
        return draw_oneway(f);
      case 3:
        f.kind = Kind::heal;
        return true;
      case 4:
        return draw_probability(f, Kind::loss, 30);
      case 5:
        return draw_probability(f, Kind::duplicate, 10);
      case 6:
      case 7:
        return impaired() < impaired_max_ ? impair(f, Kind::crash, crashed_)
                                          : restore(f, Kind::restart, crashed_);
      case 8:
        return rng_.chance(0.7) && !crashed_.empty() ? restore(f, Kind::restart, crashed_)
                                                     : restore(f, Kind::resume, paused_);
      case 9:
        return impaired() < impaired_max_ && impair(f, Kind::pause, paused_);
      default:
        return draw_latency(f);
    }
  }

 private:
  std::size_t impaired() const { return crashed_.size() + paused_.size(); }

  std::string pick(const std::vector<std::string>& from) {
    return from[rng_.uniform(0, from.size() - 1)];
  }

  bool draw_partition(Fault& f) {
    const std::size_t n = nodes_.size();
    if (n < 2) return false;
    auto shuffled = nodes_;
    for (std::size_t i = n - 1; i > 0; --i) std::swap(shuffled[i], shuffled[rng_.uniform(0, i)]);
    auto cut = static_cast<std::ptrdiff_t>(rng_.uniform(1, n - 1));
    f.kind = Kind::partition;
    f.groups = {{shuffled.begin(), shuffled.begin() + cut},
                {shuffled.begin() + cut, shuffled.end()}};
    return true;
  }

  bool draw_oneway(Fault& f) {
    if (nodes_.size() < 2) return false;
    auto a = pick(nodes_), b = pick(nodes_);
    if (a == b) return false;
    f.kind = Kind::oneway;
    f.nodes = {a, b};
    return true;
  }

  bool draw_probability(Fault& f, Kind kind, std::uint64_t percent_max) {
    f.kind = kind;
    f.probability = static_cast<double>(rng_.uniform(0, percent_max)) / 100.0;
    return true;
  }

  // Latency stays as set after the settle point: keep it well under the detector's timeout,
  // or convergence would depend on the distribution rather than on the protocol.
  bool draw_latency(Fault& f) {
    auto lo = static_cast<std::int64_t>(rng_.uniform(0, 10));
    auto hi = lo + static_cast<std::int64_t>(rng_.uniform(10, 300));
    f.kind = Kind::latency;
    f.latency =
        rng_.chance(0.5)
            ? LatencyDistribution{LatencyDistribution::Kind::uniform, lo, hi, 0}
            : LatencyDistribution{LatencyDistribution::Kind::exponential, 0, hi, 1 + (hi - lo) / 4};
    return true;
  }

  // Crashes or pauses a node that is up.
  bool impair(Fault& f, Kind kind, std::vector<std::string>& into) {
    std::vector<std::string> up;
    for (const auto& node : nodes_)
      if (!contains(crashed_, node) && !contains(paused_, node)) up.push_back(node);
    if (up.empty()) return false;
    f.kind = kind;
    f.nodes = {pick(up)};
    into.push_back(f.nodes[0]);
    return true;
  }

  // Restarts a crashed node or resumes a paused one.
  bool restore(Fault& f, Kind kind, std::vector<std::string>& from) {
    if (from.empty()) return false;
    f.kind = kind;
    f.nodes = {pick(from)};
    from.erase(std::find(from.begin(), from.end(), f.nodes[0]));
    return true;
  }

  static bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }

  Rng rng_;
  const std::vector<std::string>& nodes_;
  const std::size_t impaired_max_;
  std::vector<std::string> crashed_, paused_;
};

}  // namespace

std::vector<Fault> random_faults(std::uint64_t seed, const std::vector<std::string>& nodes,
                                 std::int64_t settle_ms) {
  RandomFaultDrawer drawer(seed, nodes);
  auto& rng = drawer.rng();
  std::vector<Fault> out;
  for (auto t = static_cast<std::int64_t>(rng.uniform(500, 2000)); t < settle_ms;
       t += static_cast<std::int64_t>(rng.uniform(500, 4000))) {
    Fault f;
    f.at_ms = t;
    if (drawer.draw(f)) out.push_back(std::move(f));
  }
  // Some crashed nodes come back just before the settle point; the rest stay down.
  for (const auto& node : drawer.crashed()) {
    if (!rng.chance(0.5)) continue;
    Fault f;
    f.at_ms = std::max<std::int64_t>(0, settle_ms - 1);
    f.kind = Kind::restart;
    f.nodes = {node};
    out.push_back(std::move(f));
  }
  for (auto& f : random_disk_faults(seed, nodes, settle_ms)) out.push_back(std::move(f));
  for (auto& f : random_clock_faults(seed, nodes, settle_ms)) out.push_back(std::move(f));
  std::stable_sort(out.begin(), out.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
  return out;
}

std::vector<Fault> random_disk_faults(std::uint64_t seed, const std::vector<std::string>& nodes,
                                      std::int64_t settle_ms) {
  std::vector<Fault> out;
  if (nodes.empty()) return out;
  Rng rng(derive_seed(seed, "disk"));
  auto add = [&](std::int64_t at, Kind kind, const std::string& node, std::int64_t ms = 0) {
    Fault f;
    f.at_ms = std::min(at, settle_ms - 1);
    f.kind = kind;
    f.nodes = {node};
    f.duration_ms = ms;
    out.push_back(std::move(f));
  };
  for (auto t = static_cast<std::int64_t>(rng.uniform(1000, 5000)); t < settle_ms;
       t += static_cast<std::int64_t>(rng.uniform(3000, 10000))) {
    const auto& node = nodes[rng.uniform(0, nodes.size() - 1)];
    switch (rng.uniform(0, 2)) {
      case 0:
        add(t, Kind::disk_full, node);
        add(t + static_cast<std::int64_t>(rng.uniform(200, 3000)), Kind::disk_ok, node);
        break;
      case 1:
        add(t, Kind::fsync_fail, node);
        break;
      default:
        add(t, Kind::disk_slow, node, static_cast<std::int64_t>(rng.uniform(10, 300)));
        add(t + static_cast<std::int64_t>(rng.uniform(1000, 5000)), Kind::disk_slow, node, 0);
        break;
    }
  }
  return out;
}

}  // namespace craton::sim
