// ApiConnection (see the header).
#include "actors/api/informer/api_connection.hpp"

namespace craton::api {

ApiConnection::ApiConnection(ApiConnectionConfig config)
    : config_(config), next_correlation_(config.first_correlation) {}

Informer& ApiConnection::informer(const std::string& name, const ApiCall& collection,
                                  capnp::StructSchema schema) {
  auto& session = sessions_[name];
  if (!session) {
    EnvelopeSessionOptions options;
    options.collection = collection;
    options.schema = schema;
    session = std::make_unique<EnvelopeSession>(options);
  }
  return session->informer();
}

bool ApiConnection::synced() const {
  for (const auto& [name, session] : sessions_) {
    if (!session->informer().synced()) return false;
    auto needed = lists_needed_.find(name);
    if (needed != lists_needed_.end() && session->lists() < needed->second) return false;
  }
  return true;
}

void ApiConnection::relist_all(std::int64_t now_ms) {
  for (auto& [name, session] : sessions_) {
    lists_needed_[name] = session->lists() + 1;
    auto previous = session->current();
    carry_out(*session, previous, session->relist(now_ms), now_ms);
  }
}

void ApiConnection::call(ApiCall call, Done done, std::int64_t now_ms, int tag) {
  auto correlation = next_correlation_++;
  calls_[correlation] = Pending{std::move(done), tag, now_ms};
  outbox_.push_back(Send{correlation, std::move(call)});
}

void ApiConnection::forget(int tag) {
  for (auto it = calls_.begin(); it != calls_.end();)
    it = it->second.tag == tag ? calls_.erase(it) : std::next(it);
}

std::size_t ApiConnection::calls_in_flight(int tag) const {
  std::size_t n = 0;
  for (const auto& [correlation, pending] : calls_) n += pending.tag == tag;
  return n;
}

std::vector<ApiConnection::Send> ApiConnection::take_sends() {
  std::vector<Send> out;
  out.swap(outbox_);
  return out;
}

void ApiConnection::carry_out(EnvelopeSession& session, std::uint64_t previous,
                              const EnvelopeSession::Output& out, std::int64_t now_ms) {
  if (out.stop_previous_watch && previous != 0) {
    auto stop = out.call ? *out.call : ApiCall{};
    stop.verb = ApiVerb::stop_watch;
    outbox_.push_back(Send{previous, stop});
  }
  if (out.probe) outbox_.push_back(Send{session.current(), *out.probe});
  if (!out.call) return;
  auto correlation = next_correlation_++;
  outbox_.push_back(Send{correlation, *out.call});
  session.sent(correlation, now_ms);
}

void ApiConnection::tick(std::int64_t now_ms) {
  for (auto& [name, session] : sessions_) {
    auto previous = session->current();
    carry_out(*session, previous, session->tick(now_ms), now_ms);
  }
  // Calls that went unanswered count as failed (the API actor or the link died).
  std::vector<std::uint64_t> late;
  for (const auto& [correlation, pending] : calls_)
    if (now_ms - pending.sent_ms >= config_.call_timeout_ms) late.push_back(correlation);
  time_out(late, now_ms);
}

void ApiConnection::api_changed(std::int64_t now_ms) {
  std::vector<std::uint64_t> all;
  for (const auto& [correlation, pending] : calls_) all.push_back(correlation);
  time_out(all, now_ms);
  relist_all(now_ms);
}

void ApiConnection::time_out(const std::vector<std::uint64_t>& correlations, std::int64_t now_ms) {
  for (auto correlation : correlations) {
    ++timeouts_;
    ApiReply none;
    none.failure.reason = "Timeout";
    none.failure.message = "no answer from the API";
    on_reply(correlation, none, now_ms);
  }
}

void ApiConnection::on_reply(std::uint64_t correlation, const ApiReply& reply,
                             std::int64_t now_ms) {
  for (auto& [name, session] : sessions_)
    if (session->current() == correlation)
      return carry_out(*session, correlation, session->on_reply(correlation, reply, now_ms),
                       now_ms);
  auto it = calls_.find(correlation);
  if (it == calls_.end()) return;  // late, or forgotten
  auto done = std::move(it->second.done);
  calls_.erase(it);
  if (done) done(reply);
}

void ApiConnection::on_event(std::uint64_t correlation, const ApiEvent& event,
                             std::int64_t now_ms) {
  for (auto& [name, session] : sessions_)
    if (session->current() == correlation)
      return carry_out(*session, correlation, session->on_event(correlation, event, now_ms),
                       now_ms);
}

}  // namespace craton::api
