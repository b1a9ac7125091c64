// Informer: the cache's changes, the handlers' deliveries and the reconnect decisions.
#include "actors/api/informer/informer.hpp"

#include <algorithm>
#include <map>

namespace craton::api {

std::int64_t informer_backoff_delay_ms(std::uint32_t attempts) {
  if (attempts == 0) return 0;
  // The shift stops growing long before it could overflow; the min bounds the rest.
  std::uint32_t doublings = std::min<std::uint32_t>(attempts - 1, 20);
  std::int64_t delay = std::min(informer_backoff_initial_ms << doublings, informer_backoff_ms_max);
  CRATON_ASSERT(delay >= informer_backoff_initial_ms && delay <= informer_backoff_ms_max,
                "backoff out of its bounds");
  return delay;
}

void Informer::add_index(const std::string& name, IndexFunction function) {
  cache_.add_index(name, std::move(function));
}

void Informer::add_handlers(InformerHandlers handlers) {
  if (handlers.on_add)
    for (const auto& object : cache_.list()) handlers.on_add(object);
  handlers_.push_back(std::move(handlers));
}

void Informer::on_list(std::uint64_t resource_version, const std::vector<InformerObject>& items) {
  std::map<std::string, const InformerObject*> listed;
  for (const auto& item : items) listed[item.key()] = &item;  // a repeated key: the last wins
  for (const auto& held : cache_.list()) {
    if (listed.count(held.key()) != 0) continue;
    cache_.erase(held.key());
    ++counters_.synthetic_deletes;
    notify_delete(held, true);
  }
  for (const auto& [key, item] : listed) {
    auto held = cache_.get(key);
    if (held && held->uid() != item->uid()) {  // deleted and created again while away
      cache_.erase(key);
      ++counters_.synthetic_deletes;
      notify_delete(*held, true);
      held.reset();
    }
    if (held && held->resource_version() == item->resource_version()) continue;
    cache_.put(*item);
    if (held)
      notify_update(*held, *item);
    else
      notify_add(*item);
  }
  CRATON_ASSERT(cache_.size() == listed.size(), "the cache differs from the list it applied");
  resource_version_ = resource_version;
  synced_ = true;
  attempts_ = 0;
  ++counters_.lists;
}

std::optional<WatchEnd> Informer::on_watch_event(const WatchEvent& event) {
  CRATON_ASSERT(synced_, "a watch event before the first list");
  if (event.type == WatchEventType::error)
    return event.error_code == 410 ? WatchEnd::expired : WatchEnd::server_error;
  attempts_ = 0;  // the stream works
  if (event.type == WatchEventType::bookmark) {
    resource_version_ = std::max(resource_version_, event.resource_version);
    return std::nullopt;
  }
  CRATON_ASSERT(event.object.has_value(), "a watch event without its object");
  const auto& object = *event.object;
  // Events of one stream come in revision order; one older than the last seen is a replay.
  // (Equal is allowed: one transaction may change several objects at one revision.)
  if (object.resource_version() < resource_version_) {
    ++counters_.events_dropped;
    return std::nullopt;
  }
  if (event.type == WatchEventType::deleted)
    apply_delete(object);
  else
    apply_upsert(object);
  resource_version_ = object.resource_version();
  return std::nullopt;
}

void Informer::apply_upsert(const InformerObject& object) {
  auto held = cache_.get(object.key());
  if (held && object.resource_version() <= held->resource_version()) {
    ++counters_.events_dropped;
    return;
  }
  cache_.put(object);
  ++counters_.events_applied;
  if (held)
    notify_update(*held, object);
  else
    notify_add(object);
}

// A deletion carries the revision of the delete, at least that of the state held.
void Informer::apply_delete(const InformerObject& object) {
  auto held = cache_.get(object.key());
  if (!held || object.resource_version() < held->resource_version()) {
    ++counters_.events_dropped;
    return;
  }
  cache_.erase(object.key());
  ++counters_.events_applied;
  notify_delete(*held, false);
}

void Informer::resync() {
  for (const auto& object : cache_.list()) notify_update(object, object);
}

NextStep Informer::after_watch(WatchEnd end) {
  switch (end) {
    case WatchEnd::closed:
    case WatchEnd::transport_error:
    case WatchEnd::server_error:
      return step(NextStep::Action::watch);
    case WatchEnd::expired:
    case WatchEnd::decode_error:
      return step(NextStep::Action::list);
  }
  CRATON_ASSERT(false, "an unknown way for a watch to end");
  return {};
}

NextStep Informer::after_list_failure() {
  return step(NextStep::Action::list);
}

NextStep Informer::step(NextStep::Action action) {
  // Until the first list, only a list can follow.
  if (!synced_) action = NextStep::Action::list;
  NextStep next{action, resource_version_, informer_backoff_delay_ms(attempts_)};
  if (attempts_ < UINT32_MAX) ++attempts_;
  return next;
}

void Informer::notify_add(const InformerObject& object) {
  for (auto& h : handlers_)
    if (h.on_add) h.on_add(object);
}

void Informer::notify_update(const InformerObject& old_object, const InformerObject& new_object) {
  for (auto& h : handlers_)
    if (h.on_update) h.on_update(old_object, new_object);
}

void Informer::notify_delete(const InformerObject& last, bool final_state_unknown) {
  for (auto& h : handlers_)
    if (h.on_delete) h.on_delete(last, final_state_unknown);
}

}  // namespace craton::api
