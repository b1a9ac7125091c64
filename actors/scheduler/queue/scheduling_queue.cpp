// SchedulingQueue: placing pods in activeQ, backoffQ and unschedulable, and the nominator.
#include "actors/scheduler/queue/scheduling_queue.hpp"

#include <utility>

#include "runtime/assert.hpp"

namespace craton::scheduler {

std::string_view queue_name(QueueName queue) {
  switch (queue) {
    case QueueName::active:
      return "activeQ";
    case QueueName::backoff:
      return "backoffQ";
    case QueueName::unschedulable:
      return "unschedulablePods";
    case QueueName::in_flight:
      return "inFlight";
    case QueueName::none:
      return "none";
  }
  return "?";
}

// --- EventMask -----------------------------------------------------------------------------

void SchedulingQueue::EventMask::add_registered(const ClusterEvent& e) {
  if (e.is_wildcard()) {
    any = true;
    return;
  }
  if (e.resource == EventResource::wildcard) {
    // Registered for any resource: its actions count for each one, as `matches` says.
    for (auto& a : actions) a |= e.actions;
    return;
  }
  actions[static_cast<std::size_t>(e.resource)] |= e.actions;
}

void SchedulingQueue::EventMask::add_happened(const ClusterEvent& e) {
  if (e.is_wildcard()) {
    any = true;
    return;
  }
  actions[static_cast<std::size_t>(e.resource)] |= e.actions;
}

bool SchedulingQueue::EventMask::empty() const {
  if (any) return false;
  for (auto a : actions)
    if (a != 0) return false;
  return true;
}

bool SchedulingQueue::EventMask::matches(const ClusterEvent& happened) const {
  // A wildcard event moves every pod, as kube's isPodWorthRequeuing.
  if (any || happened.is_wildcard()) return true;
  return (actions[static_cast<std::size_t>(happened.resource)] & happened.actions) != 0;
}

bool SchedulingQueue::EventMask::matches_any(const EventMask& happened) const {
  if (happened.empty()) return false;
  if (any || happened.any) return true;
  // Exact because matching is "shares a bit": the union of what happened shares a bit with
  // what is registered exactly when one of the events did.
  for (std::size_t r = 0; r < actions.size(); ++r)
    if (actions[r] & happened.actions[r]) return true;
  return false;
}

// --- construction --------------------------------------------------------------------------

bool SchedulingQueue::ActiveOrder::operator()(const Entry* a, const Entry* b) const {
  if (queue->less_(a->info, b->info)) return true;
  if (queue->less_(b->info, a->info)) return false;
  return a->seq < b->seq;
}

SchedulingQueue::SchedulingQueue(QueueLess less, PluginEvents events,
                                 SchedulingQueueOptions options)
    : less_(std::move(less)),
      events_(std::move(events)),
      options_(options),
      active_(ActiveOrder{this}) {}

Result<std::unique_ptr<SchedulingQueue>> SchedulingQueue::create(QueueLess less,
                                                                 PluginEvents events,
                                                                 SchedulingQueueOptions options) {
  auto bad = [](std::string why) { return Error{"bad_options", "scheduling queue: " + why}; };
  if (!less) return bad("no QueueSort order given");
  if (options.initial_backoff_ms <= 0) return bad("initial back-off must be positive");
  if (options.max_backoff_ms < options.initial_backoff_ms)
    return bad("max back-off must be at least the initial back-off");
  if (options.max_in_unschedulable_ms < 0) return bad("unschedulable timeout must not be negative");
  if (options.pods_max == 0) return bad("pods_max must be positive");
  return std::unique_ptr<SchedulingQueue>(
      new SchedulingQueue(std::move(less), std::move(events), options));
}

std::int64_t SchedulingQueue::backoff_ms(std::int32_t attempts) const {
  if (attempts <= 0) return 0;  // never tried: no penalty
  std::int64_t duration = options_.initial_backoff_ms;
  for (std::int32_t i = 1; i < attempts; ++i) {
    // Compared by subtraction so doubling never overflows.
    if (duration > options_.max_backoff_ms - duration) return options_.max_backoff_ms;
    duration += duration;
  }
  return duration;
}

SchedulingQueue::EventMask SchedulingQueue::mask_for(
    const std::vector<std::string>& plugins) const {
  EventMask mask;
  // No rejecting plugin: something unusual failed, any change may help.
  if (plugins.empty()) mask.any = true;
  for (const auto& name : plugins) {
    auto it = events_.find(name);
    if (it == events_.end()) {
      mask.any = true;  // a plugin that registered nothing we know of: every event, as kube
      continue;
    }
    for (const auto& e : it->second) mask.add_registered(e);
  }
  return mask;
}

// --- moving between queues -----------------------------------------------------------------

SchedulingQueue::Entry* SchedulingQueue::find(std::string_view uid) {
  auto it = pods_.find(uid);
  return it == pods_.end() ? nullptr : &it->second;
}

void SchedulingQueue::detach(Entry& e) {
  std::size_t erased = 0;
  switch (e.where) {
    case QueueName::active:
      erased = active_.erase(&e);
      break;
    case QueueName::backoff:
      erased = backoff_.erase({e.backoff_until_ms, e.seq});
      break;
    case QueueName::unschedulable:
      erased = unschedulable_.erase(e.seq);
      break;
    case QueueName::in_flight:
      erased = in_flight_.erase(e.seq);
      break;
    case QueueName::none:
      erased = 1;
      break;
  }
  CRATON_ASSERT(erased == 1, "a pod is in the queue its entry names");
  e.where = QueueName::none;
}

void SchedulingQueue::to_active(Entry& e) {
  detach(e);
  e.seq = next_seq_++;
  e.where = QueueName::active;
  bool inserted = active_.insert(&e).second;
  CRATON_ASSERT(inserted, "sequence numbers make activeQ keys unique");
}

void SchedulingQueue::to_backoff(Entry& e) {
  detach(e);
  e.seq = next_seq_++;
  e.where = QueueName::backoff;
  backoff_.emplace(Key{e.backoff_until_ms, e.seq}, &e);
}

void SchedulingQueue::to_unschedulable(Entry& e, std::int64_t now_ms) {
  detach(e);
  e.seq = next_seq_++;
  e.where = QueueName::unschedulable;
  e.unschedulable_since_ms = now_ms;
  unschedulable_.emplace(e.seq, &e);
}

QueueName SchedulingQueue::to_active_or_backoff(Entry& e, std::int64_t now_ms) {
  if (e.backoff_until_ms > now_ms) {
    to_backoff(e);
    return QueueName::backoff;
  }
  to_active(e);
  return QueueName::active;
}

void SchedulingQueue::move_completed_backoffs(std::int64_t now_ms) {
  while (!backoff_.empty() && backoff_.begin()->first.first <= now_ms)
    to_active(*backoff_.begin()->second);
}

// --- adding and removing -------------------------------------------------------------------

Result<QueueName> SchedulingQueue::add(std::shared_ptr<const PodInfo> pod, std::int64_t now_ms) {
  CRATON_ASSERT(pod != nullptr, "add takes a pod");
  if (pods_.count(pod->uid))
    return Error{"already_queued", "pod " + pod->key() + " (" + pod->uid + ") is already queued"};
  if (pods_.size() >= options_.pods_max)
    return Error{"queue_full", "scheduling queue holds " + std::to_string(pods_.size()) +
                                   " pods (pods_max); " + pod->key() + " not added"};
  std::string uid = pod->uid;
  Entry& e = pods_[uid];
  e.info = {pod.get(), now_ms, 0};
  e.pod = std::move(pod);
  to_active(e);
  return QueueName::active;
}

Result<QueueName> SchedulingQueue::update(std::shared_ptr<const PodInfo> pod, std::int64_t now_ms) {
  CRATON_ASSERT(pod != nullptr, "update takes a pod");
  Entry* e = find(pod->uid);
  if (!e) return add(std::move(pod), now_ms);
  auto nomination = nominated_.find(pod->uid);
  if (nomination != nominated_.end()) nomination->second.pod = pod;
  switch (e->where) {
    case QueueName::active: {
      // The order may read any field, so the pod is re-inserted with its place kept (seq).
      active_.erase(e);
      e->info.pod = pod.get();
      e->pod = std::move(pod);
      active_.insert(e);
      return QueueName::active;
    }
    case QueueName::backoff:
      e->info.pod = pod.get();
      e->pod = std::move(pod);
      return QueueName::backoff;
    case QueueName::unschedulable:
      e->info.pod = pod.get();
      e->pod = std::move(pod);
      return to_active_or_backoff(*e, now_ms);
    case QueueName::in_flight:
      e->newer_in_flight = std::move(pod);
      e->updated_in_flight = true;
      return QueueName::in_flight;
    case QueueName::none:
      break;
  }
  CRATON_ASSERT(false, "every known pod is in a queue");
  return QueueName::none;
}

bool SchedulingQueue::refresh(std::shared_ptr<const PodInfo> pod) {
  CRATON_ASSERT(pod != nullptr, "refresh takes a pod");
  Entry* e = find(pod->uid);
  if (!e) return false;
  auto nomination = nominated_.find(pod->uid);
  if (nomination != nominated_.end()) nomination->second.pod = pod;
  if (e->where == QueueName::in_flight) {
    // Its cycle (or its binding cycle, waiting on Permit) keeps the version it was popped
    // with; this one replaces it when the pod comes back, not counted as a change.
    e->newer_in_flight = std::move(pod);
    return true;
  }
  bool active = e->where == QueueName::active;
  if (active) active_.erase(e);  // the order may read any field: re-inserted, its seq kept
  e->info.pod = pod.get();
  e->pod = std::move(pod);
  if (active) active_.insert(e);
  return true;
}

bool SchedulingQueue::remove(std::string_view uid) {
  remove_nominated(uid);
  Entry* e = find(uid);
  if (!e) return false;
  if (e->where == QueueName::in_flight) {
    e->removed_in_flight = true;  // the cycle still reads its PodInfo
    return true;
  }
  detach(*e);
  pods_.erase(pods_.find(uid));
  return true;
}

// --- the scheduling cycle ------------------------------------------------------------------

std::optional<PoppedPod> SchedulingQueue::pop(std::int64_t now_ms) {
  move_completed_backoffs(now_ms);
  if (active_.empty()) return std::nullopt;
  Entry& e = **active_.begin();
  detach(e);
  e.seq = next_seq_++;
  e.where = QueueName::in_flight;
  in_flight_.emplace(e.seq, &e);
  ++e.info.attempts;
  ++scheduling_cycle_;
  return PoppedPod{e.info, e.pod, scheduling_cycle_};
}

SchedulingQueue::Entry* SchedulingQueue::in_flight_entry(const QueuedPodInfo& pod) {
  CRATON_ASSERT(pod.pod != nullptr, "a queued pod names its pod");
  Entry* e = find(pod.pod->uid);
  return e && e->where == QueueName::in_flight ? e : nullptr;
}

void SchedulingQueue::finish_in_flight(Entry& e, std::int64_t now_ms) {
  if (e.newer_in_flight) {
    e.pod = std::move(e.newer_in_flight);
    e.info.pod = e.pod.get();
  }
  e.newer_in_flight = nullptr;
  e.updated_in_flight = false;
  e.happened_in_flight = {};
  // As kube, the timestamp is refreshed on return: the order and the back-off start from now.
  e.info.timestamp_ms = now_ms;
  e.backoff_until_ms = now_ms + backoff_ms(e.info.attempts);
}

Result<QueueName> SchedulingQueue::add_unschedulable(const QueuedPodInfo& pod,
                                                     std::vector<std::string> unschedulable_plugins,
                                                     std::int64_t now_ms) {
  Entry* e = in_flight_entry(pod);
  if (!e)
    return Error{"not_in_flight", "pod " + pod.pod->key() + " was not popped; cannot requeue it"};
  if (e->removed_in_flight) {
    detach(*e);
    pods_.erase(pods_.find(pod.pod->uid));
    return QueueName::none;
  }
  e->moves_on = mask_for(unschedulable_plugins);
  bool changed_meanwhile = e->updated_in_flight || e->moves_on.matches_any(e->happened_in_flight) ||
                           unschedulable_plugins.empty();
  finish_in_flight(*e, now_ms);
  if (changed_meanwhile) return to_active_or_backoff(*e, now_ms);
  to_unschedulable(*e, now_ms);
  return QueueName::unschedulable;
}

Result<QueueName> SchedulingQueue::requeue_after_error(const QueuedPodInfo& pod,
                                                       std::int64_t now_ms) {
  return add_unschedulable(pod, {}, now_ms);
}

bool SchedulingQueue::done(std::string_view uid) {
  Entry* e = find(uid);
  if (!e || e->where != QueueName::in_flight) return false;
  remove_nominated(uid);
  detach(*e);
  pods_.erase(pods_.find(uid));
  return true;
}

// --- events and time -----------------------------------------------------------------------

std::size_t SchedulingQueue::on_event(const ClusterEvent& event, std::int64_t now_ms) {
  // Remembered for the pods being scheduled: one bit set per resource, whatever the count.
  for (auto& [seq, e] : in_flight_) e->happened_in_flight.add_happened(event);
  std::size_t moved = 0;
  for (auto it = unschedulable_.begin(); it != unschedulable_.end();) {
    Entry& e = *it->second;
    ++it;  // moving e erases its node
    if (!e.moves_on.matches(event)) continue;
    to_active_or_backoff(e, now_ms);
    ++moved;
  }
  return moved;
}

void SchedulingQueue::flush(std::int64_t now_ms) {
  move_completed_backoffs(now_ms);
  // unschedulable_ is in arrival order, so with a clock that never goes back the pods waiting
  // longest come first and the walk stops at the first one still within its time.
  while (!unschedulable_.empty()) {
    Entry& e = *unschedulable_.begin()->second;
    if (now_ms - e.unschedulable_since_ms <= options_.max_in_unschedulable_ms) break;
    to_active_or_backoff(e, now_ms);
  }
}

// --- the nominator -------------------------------------------------------------------------

void SchedulingQueue::add_nominated(std::shared_ptr<const PodInfo> pod, std::string node) {
  CRATON_ASSERT(pod != nullptr, "a nomination names a pod");
  remove_nominated(pod->uid);
  if (node.empty()) return;
  std::uint64_t seq = next_seq_++;
  nominated_by_node_[node].emplace(seq, pod->uid);
  std::string uid = pod->uid;
  nominated_.emplace(std::move(uid), Nomination{std::move(pod), std::move(node), seq});
}

void SchedulingQueue::remove_nominated(std::string_view uid) {
  auto it = nominated_.find(uid);
  if (it == nominated_.end()) return;
  auto by_node = nominated_by_node_.find(it->second.node);
  CRATON_ASSERT(by_node != nominated_by_node_.end(), "a nomination is listed under its node");
  by_node->second.erase(it->second.seq);
  if (by_node->second.empty()) nominated_by_node_.erase(by_node);
  nominated_.erase(it);
}

std::vector<std::shared_ptr<const PodInfo>> SchedulingQueue::nominated_pods_for_node(
    std::string_view node) const {
  std::vector<std::shared_ptr<const PodInfo>> out;
  auto by_node = nominated_by_node_.find(node);
  if (by_node == nominated_by_node_.end()) return out;
  out.reserve(by_node->second.size());
  for (const auto& [seq, uid] : by_node->second) out.push_back(nominated_.find(uid)->second.pod);
  return out;
}

std::string_view SchedulingQueue::nominated_node(std::string_view uid) const {
  auto it = nominated_.find(uid);
  return it == nominated_.end() ? std::string_view{} : std::string_view{it->second.node};
}

}  // namespace craton::scheduler
