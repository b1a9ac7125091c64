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
    : config_(config), next_correlation_(config.first_correlation), events_(config.events) {}

void ControllerManager::record(const EventReport& report) {
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
  auto name = resource.group + "/" + resource.resource;
  auto& session = sessions_[name];
  if (!session) {
    api::EnvelopeSessionOptions options;
    options.collection = resource.call(api::ApiVerb::list);
    options.schema = resource.schema;
    session = std::make_unique<api::EnvelopeSession>(options);
  }
  return session->informer();
}

void ControllerManager::add(const ControllerFactory& factory) {
  auto entry = std::make_unique<Entry>();
  entry->queue = WorkQueue(config_.queue);
  auto* raw = entry.get();
  ControllerContext context;
  context.informer = [this](const ResourceType& r) -> api::Informer& { return informer(r); };
  context.enqueue = [raw](const std::string& key) { raw->queue.add(key); };
  context.now_ms = [this] { return now_ms_; };
  context.record = [this](const EventReport& report) { record(report); };
  entry->controller = factory(context);
  CRATON_ASSERT(entry->controller != nullptr, "a controller factory made nothing");
  entries_.push_back(std::move(entry));
}

bool ControllerManager::synced() const {
  for (const auto& [name, session] : sessions_) {
    if (!session->informer().synced()) return false;
    auto needed = lists_needed_.find(name);
    if (needed != lists_needed_.end() && session->lists() < needed->second) return false;
  }
  return true;
}

void ControllerManager::call(api::ApiCall call, std::function<void(const api::ApiReply&)> done,
                             std::int64_t now_ms) {
  auto correlation = next_correlation_++;
  calls_[correlation] = Pending{nullptr, "", call, std::move(done), now_ms};
  outbox_.push_back(Send{correlation, std::move(call)});
}

std::vector<ControllerManager::Send> ControllerManager::take_sends() {
  std::vector<Send> out;
  out.swap(outbox_);
  return out;
}

void ControllerManager::carry_out(api::EnvelopeSession& session, std::uint64_t previous,
                                  const api::EnvelopeSession::Output& out, std::int64_t now_ms) {
  if (out.stop_previous_watch && previous != 0) {
    auto stop = out.call ? *out.call : api::ApiCall{};
    stop.verb = api::ApiVerb::stop_watch;
    outbox_.push_back(Send{previous, stop});
  }
  if (!out.call) return;
  auto correlation = next_correlation_++;
  outbox_.push_back(Send{correlation, *out.call});
  session.sent(correlation, now_ms);
}

std::vector<ControllerManager::Send> ControllerManager::tick(std::int64_t now_ms) {
  now_ms_ = now_ms;
  for (auto& [name, session] : sessions_) {
    auto previous = session->current();
    carry_out(*session, previous, session->tick(now_ms), now_ms);
  }
  // Calls that went unanswered: failed, so their keys retry (the API actor or the link died).
  std::vector<std::uint64_t> late;
  for (const auto& [correlation, pending] : calls_)
    if (now_ms - pending.sent_ms >= config_.call_timeout_ms) late.push_back(correlation);
  for (auto correlation : late) {
    ++counters_.timeouts;
    api::ApiReply none;
    none.failure.reason = "Timeout";
    none.failure.message = "no answer from the API";
    settle(correlation, none, now_ms);
  }
  pump(now_ms);
  return take_sends();
}

std::vector<ControllerManager::Send> ControllerManager::on_reply(std::uint64_t correlation,
                                                                 const api::ApiReply& reply,
                                                                 std::int64_t now_ms) {
  now_ms_ = now_ms;
  for (auto& [name, session] : sessions_)
    if (session->current() == correlation) {
      carry_out(*session, correlation, session->on_reply(correlation, reply, now_ms), now_ms);
      pump(now_ms);
      return take_sends();
    }
  settle(correlation, reply, now_ms);
  pump(now_ms);
  return take_sends();
}

std::vector<ControllerManager::Send> ControllerManager::on_event(std::uint64_t correlation,
                                                                 const api::ApiEvent& event,
                                                                 std::int64_t now_ms) {
  now_ms_ = now_ms;
  for (auto& [name, session] : sessions_)
    if (session->current() == correlation) {
      carry_out(*session, correlation, session->on_event(correlation, event, now_ms), now_ms);
      break;
    }
  pump(now_ms);
  return take_sends();
}

void ControllerManager::settle(std::uint64_t correlation, const api::ApiReply& reply,
                               std::int64_t now_ms) {
  auto it = calls_.find(correlation);
  if (it == calls_.end()) return;  // late, or forgotten when acting stopped
  auto pending = std::move(it->second);
  calls_.erase(it);
  if (!reply.ok()) ++counters_.failed_calls;
  if (pending.entry == nullptr) {
    if (pending.done) pending.done(reply);
    return;
  }
  auto& entry = *pending.entry;
  bool fine = entry.controller->on_reply(pending.key, pending.call, reply);
  auto sync = entry.syncs.find(pending.key);
  CRATON_ASSERT(sync != entry.syncs.end(), "a controller call of a key not being synced");
  if (!fine) sync->second.failed = true;
  if (--sync->second.unanswered > 0) return;
  if (sync->second.failed)
    entry.queue.retry(pending.key, now_ms);
  else
    entry.queue.forget(pending.key);
  entry.queue.done(pending.key);
  entry.syncs.erase(sync);
}

void ControllerManager::run_sync(Entry& entry, const std::string& key, std::int64_t now_ms) {
  ++counters_.syncs;
  auto result = entry.controller->sync(key, now_ms);
  if (result.again_at_ms > 0) entry.queue.add_after(key, result.again_at_ms);
  if (result.calls.empty()) {
    entry.queue.forget(key);
    entry.queue.done(key);
    return;
  }
  entry.syncs[key] = Entry::Sync{result.calls.size(), false};
  for (auto& call : result.calls) {
    auto correlation = next_correlation_++;
    ++counters_.calls;
    calls_[correlation] = Pending{&entry, key, call, {}, now_ms};
    outbox_.push_back(Send{correlation, std::move(call)});
  }
}

void ControllerManager::pump(std::int64_t now_ms) {
  if (!acting_ || !synced()) return;
  for (auto& entry : entries_) {
    entry->queue.tick(now_ms);
    while (entry->syncs.size() < config_.syncs_max && calls_.size() < config_.calls_max) {
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
    for (auto& [name, session] : sessions_) {
      lists_needed_[name] = session->lists() + 1;
      auto previous = session->current();
      carry_out(*session, previous, session->relist(now_ms_), now_ms_);
    }
    return;
  }
  // Forget the controllers' calls in flight; their keys wait in the queues for the next term.
  for (auto it = calls_.begin(); it != calls_.end();)
    it = it->second.entry != nullptr ? calls_.erase(it) : std::next(it);
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
