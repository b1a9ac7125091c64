// The controller manager's logic: informers, work queues, calls in flight (see the header).
#include "actors/controllers/manager/controller_manager.hpp"

#include "runtime/assert.hpp"

namespace craton::controllers {

struct ControllerManager::Entry {
  std::unique_ptr<Controller> controller;
  WorkQueue queue;
  /// Keys being synced -> their calls still unanswered, and whether one failed.
  struct Sync {
    std::size_t unanswered = 0;
    bool failed = false;
  };
  std::map<std::string, Sync> syncs;
};

ControllerManager::ControllerManager(ControllerManagerConfig config)
    : config_(config),
      api_(api::ApiConnectionConfig{config.first_correlation, config.call_timeout_ms}),
      events_(config.events) {}

void ControllerManager::record(const api::EventReport& report) {
  if (!acting_) return;  // only the leader speaks for the controllers
  auto wall_ms = config_.wall_clock_base_s * 1000 + now_ms_;
  auto write = events_.record(report, wall_ms);
  if (!write) return;  // the spam filter
  ++counters_.events;
  auto sent = *write;
  call(
      sent.call,
      [this, sent](const api::ApiReply& reply) {
        if (auto instead = events_.on_reply(sent, reply)) call(*instead, {}, now_ms_);
      },
      now_ms_);
}

ControllerManager::~ControllerManager() = default;

api::Informer& ControllerManager::informer(const ResourceType& resource) {
  return api_.informer(resource.group + "/" + resource.resource, resource.call(api::ApiVerb::list),
                       resource.schema);
}

void ControllerManager::add(const ControllerFactory& factory) {
  auto entry = std::make_unique<Entry>();
  entry->queue = WorkQueue(config_.queue);
  auto* raw = entry.get();
  ControllerContext context;
  context.informer = [this](const ResourceType& r) -> api::Informer& { return informer(r); };
  context.enqueue = [raw](const std::string& key) { raw->queue.add(key); };
  context.now_ms = [this] { return now_ms_; };
  context.record = [this](const api::EventReport& report) { record(report); };
  entry->controller = factory(context);
  CRATON_ASSERT(entry->controller != nullptr, "a controller factory made nothing");
  entries_.push_back(std::move(entry));
}

bool ControllerManager::synced() const {
  return api_.synced();
}

ControllerManagerCounters ControllerManager::counters() const {
  auto c = counters_;
  c.timeouts = api_.timeouts();
  return c;
}

void ControllerManager::call(api::ApiCall call, api::ApiConnection::Done done,
                             std::int64_t now_ms) {
  api_.call(
      std::move(call),
      [this, done = std::move(done)](const api::ApiReply& reply) {
        if (!reply.ok()) ++counters_.failed_calls;
        if (done) done(reply);
      },
      now_ms);
}

std::vector<ControllerManager::Send> ControllerManager::take_sends() {
  return api_.take_sends();
}

std::vector<ControllerManager::Send> ControllerManager::tick(std::int64_t now_ms) {
  now_ms_ = now_ms;
  api_.tick(now_ms);  // unanswered calls fail: their keys retry (the API actor or link died)
  pump(now_ms);
  return take_sends();
}

std::vector<ControllerManager::Send> ControllerManager::on_reply(std::uint64_t correlation,
                                                                 const api::ApiReply& reply,
                                                                 std::int64_t now_ms) {
  now_ms_ = now_ms;
  api_.on_reply(correlation, reply, now_ms);
  act_wanted_ = true;
  return take_sends();
}

std::vector<ControllerManager::Send> ControllerManager::on_event(std::uint64_t correlation,
                                                                 const api::ApiEvent& event,
                                                                 std::int64_t now_ms) {
  now_ms_ = now_ms;
  api_.on_event(correlation, event, now_ms);
  act_wanted_ = true;
  return take_sends();
}

std::vector<ControllerManager::Send> ControllerManager::act(std::int64_t now_ms) {
  now_ms_ = now_ms;
  pump(now_ms);
  return take_sends();
}

void ControllerManager::settle(Entry& entry, const std::string& key, const api::ApiCall& call,
                               const api::ApiReply& reply) {
  if (!reply.ok()) ++counters_.failed_calls;
  bool fine = entry.controller->on_reply(key, call, reply);
  auto sync = entry.syncs.find(key);
  CRATON_ASSERT(sync != entry.syncs.end(), "a controller call of a key not being synced");
  if (!fine) sync->second.failed = true;
  if (--sync->second.unanswered > 0) return;
  if (sync->second.failed)
    entry.queue.retry(key, now_ms_);
  else
    entry.queue.forget(key);
  entry.queue.done(key);
  entry.syncs.erase(sync);
}

void ControllerManager::run_sync(Entry& entry, const std::string& key, std::int64_t now_ms) {
  ++counters_.syncs;
  auto result = entry.controller->sync(key, now_ms);
  if (result.again_at_ms) entry.queue.add_after(key, *result.again_at_ms);
  if (result.calls.empty()) {
    entry.queue.forget(key);
    entry.queue.done(key);
    return;
  }
  entry.syncs[key] = Entry::Sync{result.calls.size(), false};
  for (auto& call : result.calls) {
    ++counters_.calls;
    auto done = [this, &entry, key, call](const api::ApiReply& reply) {
      settle(entry, key, call, reply);
    };
    api_.call(std::move(call), std::move(done), now_ms, kControllerCalls);
  }
}

void ControllerManager::pump(std::int64_t now_ms) {
  act_wanted_ = false;
  if (!acting_ || !synced()) return;
  for (auto& entry : entries_) {
    entry->queue.tick(now_ms);
    while (entry->syncs.size() < config_.syncs_max && api_.calls_in_flight() < config_.calls_max) {
      auto key = entry->queue.next();
      if (!key) break;
      run_sync(*entry, *key, now_ms);
    }
  }
}

void ControllerManager::set_acting(bool acting) {
  if (acting == acting_) return;
  acting_ = acting;
  if (acting) {
    api_.relist_all(now_ms_);
    return;
  }
  // Forget the controllers' calls in flight; their keys wait in the queues for the next term.
  api_.forget(kControllerCalls);
  for (auto& entry : entries_) {
    for (const auto& [key, sync] : entry->syncs) {
      entry->queue.done(key);
      entry->queue.add(key);
    }
    entry->syncs.clear();
    entry->controller->reset();
  }
}

}  // namespace craton::controllers
