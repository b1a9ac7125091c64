#include "sim/linearizability/unobservable_filter.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace craton::linearizability {
namespace {

// Substring search allowed (bytes searched, summed over operations) before giving up.
constexpr std::size_t kSearchBytesMax = std::size_t{256} << 20;
constexpr std::size_t kNoObserver = SIZE_MAX;
constexpr std::size_t kForever = SIZE_MAX - 1;

// kv reads a missing key (null) as "".
Value normalized(const Value& v, Model model) {
  return model == Model::kv && v.is_null() ? Value::string("") : v;
}

std::string tag(const Value& v) {
  return std::string(1, static_cast<char>('0' + static_cast<int>(v.kind))) + v.text;
}

// Every value a read returned or a cas expected, with its last observer (an op index, or
// kForever when an unknown-outcome cas expects it).
struct Observed {
  std::unordered_map<std::string, std::size_t> last_by_tag;
  std::vector<std::pair<std::string, std::size_t>> texts;  // same, by text (kv strings)
  std::size_t text_bytes = 0;
};

Observed observe(const std::vector<Operation>& ops, Model model) {
  Observed o;
  auto see = [&](const Value& raw, std::size_t observer) {
    auto [it, inserted] = o.last_by_tag.try_emplace(tag(normalized(raw, model)), observer);
    if (!inserted && it->second != kForever) it->second = std::max(it->second, observer);
  };
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Operation& op = ops[i];
    if (op.f == OpKind::read && op.completed) see(op.value, i);
    if (op.f == OpKind::cas) see(op.expected, op.completed ? i : kForever);
  }
  for (const auto& [t, last] : o.last_by_tag) {
    o.texts.emplace_back(t.substr(1), last);
    o.text_bytes += t.size() - 1;
  }
  return o;
}

// The last observer of a value containing `piece`, or kNoObserver.
std::size_t last_containing(const Observed& o, const std::string& piece) {
  std::size_t last = kNoObserver;
  for (const auto& [text, observer] : o.texts) {
    if (text.find(piece) == std::string::npos) continue;
    if (observer == kForever) return kForever;
    last = last == kNoObserver ? observer : std::max(last, observer);
  }
  return last;
}

}  // namespace

Observability analyze_observability(const std::vector<Operation>& ops, Model model) {
  const bool appends = std::any_of(ops.begin(), ops.end(),
                                   [](const Operation& op) { return op.f == OpKind::append; });
  const Observed observed = observe(ops, model);
  std::vector<std::size_t> last(ops.size(), kForever);
  std::size_t search_bytes = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Operation& op = ops[i];
    if (op.completed || op.f == OpKind::read) continue;
    if (!appends) {
      auto it = observed.last_by_tag.find(tag(normalized(op.value, model)));
      last[i] = it == observed.last_by_tag.end() ? kNoObserver : it->second;
      continue;
    }
    search_bytes += observed.text_bytes;
    if (search_bytes <= kSearchBytesMax) last[i] = last_containing(observed, op.value.text);
  }
  Observability result;
  std::vector<std::uint32_t> new_index(ops.size(), Observability::kAlways);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (last[i] == kNoObserver) continue;
    new_index[i] = static_cast<std::uint32_t>(result.kept.size());
    result.kept.push_back(i);
  }
  for (std::size_t i : result.kept) {
    // Observers are completed reads and cas, which are always kept.
    result.last_observer.push_back(last[i] == kForever ? Observability::kAlways
                                                       : new_index[last[i]]);
  }
  return result;
}

}  // namespace craton::linearizability
