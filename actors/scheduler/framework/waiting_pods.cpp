// WaitingPods: parking pods on Permit, allowing, rejecting, expiring and draining them.
#include "actors/scheduler/framework/waiting_pods.hpp"

#include <algorithm>

#include "runtime/assert.hpp"

namespace craton::scheduler {

std::vector<std::string_view> WaitingPod::pending_plugins() const {
  std::vector<std::string_view> out;
  for (const auto& p : pending_) out.push_back(p.plugin);
  return out;
}

void WaitingPod::allow(std::string_view plugin) {
  if (decided()) return;
  std::erase_if(pending_, [&](const Pending& p) { return p.plugin == plugin; });
  if (pending_.empty()) decide(true, "", "");
}

void WaitingPod::reject(std::string_view plugin, std::string message) {
  if (!decided()) decide(false, plugin, std::move(message));
}

void WaitingPod::decide(bool allowed, std::string_view plugin, std::string message) {
  CRATON_ASSERT(!decided(), "a waiting pod is decided once");
  decision_ = WaitOutcome{pod_, node_, allowed, std::string(plugin), std::move(message)};
  decided_order_ = ++owner_.decisions_;
  pending_.clear();
}

Result<Ok> WaitingPods::add(std::shared_ptr<const PodInfo> pod, std::string node,
                            const std::vector<PluginWait>& waits, std::int64_t now_ms) {
  CRATON_ASSERT(pod != nullptr, "a waiting pod has a pod");
  if (waits.empty()) return Error{"invalid", "a pod waits for at least one plugin"};
  if (pods_.contains(pod->uid))
    return Error{"already_waiting", "pod " + pod->key() + " is already waiting on Permit"};
  std::string uid = pod->uid;
  std::unique_ptr<WaitingPod> waiting(new WaitingPod(*this, std::move(pod), std::move(node)));
  for (const auto& w : waits) {
    auto& pending = waiting->pending_;
    if (std::any_of(pending.begin(), pending.end(), [&](auto& p) { return p.plugin == w.plugin; }))
      continue;
    // As kube: a timeout above 15 minutes is cut; a negative one fires at once (Go timers do).
    std::int64_t timeout_ms = std::clamp<std::int64_t>(w.timeout_ms, 0, kPermitWaitMaxMs);
    pending.push_back({w.plugin, timeout_ms, now_ms + timeout_ms});
  }
  pods_.emplace(std::move(uid), std::move(waiting));
  return Ok{};
}

WaitingPod* WaitingPods::get(std::string_view uid) {
  auto it = pods_.find(uid);
  return it == pods_.end() || it->second->decided() ? nullptr : it->second.get();
}

void WaitingPods::iterate(const std::function<void(WaitingPod&)>& visit) {
  std::size_t count = pods_.size();
  for (auto& [uid, pod] : pods_)
    if (!pod->decided()) visit(*pod);
  CRATON_ASSERT(pods_.size() == count, "no pod is added while waiting pods are iterated");
}

bool WaitingPods::reject(std::string_view uid, std::string_view plugin, std::string message) {
  WaitingPod* pod = get(uid);
  if (pod == nullptr) return false;
  pod->reject(plugin, std::move(message));
  return true;
}

void WaitingPods::tick(std::int64_t now_ms) {
  for (auto& [uid, pod] : pods_) {
    if (pod->decided()) continue;
    // The timer that fired first wins, as kube's first Reject does.
    const WaitingPod::Pending* expired = nullptr;
    for (const auto& p : pod->pending_)
      if (p.deadline_ms <= now_ms && (!expired || p.deadline_ms < expired->deadline_ms))
        expired = &p;
    if (expired == nullptr) continue;
    std::string plugin = expired->plugin;
    pod->reject(plugin, "rejected due to timeout after waiting " +
                            go_duration_text(expired->timeout_ms) + " at plugin " + plugin);
  }
}

std::vector<WaitOutcome> WaitingPods::take_decided() {
  std::vector<std::pair<std::uint64_t, WaitOutcome>> decided;
  for (auto it = pods_.begin(); it != pods_.end();) {
    if (!it->second->decided()) {
      ++it;
      continue;
    }
    decided.emplace_back(it->second->decided_order_, std::move(*it->second->decision_));
    it = pods_.erase(it);
  }
  std::sort(decided.begin(), decided.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<WaitOutcome> out;
  out.reserve(decided.size());
  for (auto& [order, outcome] : decided) out.push_back(std::move(outcome));
  return out;
}

std::optional<std::int64_t> WaitingPods::next_deadline_ms() const {
  std::optional<std::int64_t> out;
  for (const auto& [uid, pod] : pods_)
    for (const auto& p : pod->pending_)
      if (!out || p.deadline_ms < *out) out = p.deadline_ms;
  return out;
}

std::string go_duration_text(std::int64_t ms) {
  if (ms == 0) return "0s";
  std::string sign = ms < 0 ? "-" : "";
  std::uint64_t abs_ms = ms < 0 ? 0 - static_cast<std::uint64_t>(ms) : ms;
  if (abs_ms < 1000) return sign + std::to_string(abs_ms) + "ms";
  std::uint64_t hours = abs_ms / 3'600'000, minutes = abs_ms / 60'000 % 60;
  std::uint64_t seconds = abs_ms / 1000 % 60, millis = abs_ms % 1000;
  std::string out = sign;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  out += std::to_string(seconds);
  if (millis > 0) {  // Go prints the fraction without trailing zeros: 1.5s, 1.25s, 1.001s
    std::string fraction = std::to_string(1000 + millis).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    out += "." + fraction;
  }
  return out + "s";
}

}  // namespace craton::scheduler
