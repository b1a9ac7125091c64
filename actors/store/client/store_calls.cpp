// StoreCalls: leader following, back-off and deadlines of asynchronous store calls.
#include "actors/store/client/store_calls.hpp"

#include "actors/store/codec/session_codec.hpp"
#include "actors/store/codec/store_codec.hpp"

namespace craton::store {

void write_request(schema::Envelope::Body::Builder body, const StoreRequest& request,
                   const std::optional<storage::ClientSession>& session) {
  auto out = body.initStoreRequest();
  write_store_request(out, request);
  if (session) set_request_session(out, *session);
}

Result<StoreReply> read_reply(schema::Envelope::Body::Reader body) {
  if (!body.isStoreResponse()) return Error{"malformed", "not a store response"};
  return read_store_reply(body.getStoreResponse());
}

StoreCalls::StoreCalls(std::string local_node, std::uint64_t first_correlation,
                       StoreCallsConfig config, std::uint64_t session_id)
    : local_node_(std::move(local_node)),
      leader_node_(local_node_),
      next_correlation_(first_correlation),
      config_(config),
      session_id_(session_id) {}

StoreCalls::Send StoreCalls::send(std::uint64_t correlation, Call& call, const std::string& node,
                                  std::int64_t now_ms) {
  ++call.attempts;
  call.resend_at_ms.reset();
  call.sent_to = node;
  call.sent_at_ms = now_ms;
  Send out{node, correlation, call.request, std::nullopt};
  // Every send says which of this session's writes are still open, so the store may forget
  // the others (first_incomplete only ever rises).
  if (call.sequence != 0)
    out.session = storage::ClientSession{session_id_, call.sequence, *unanswered_.begin()};
  return out;
}

void StoreCalls::finish(Call& call, Result<StoreReply> result) {
  if (call.sequence != 0) unanswered_.erase(call.sequence);
  call.done(std::move(result));
}

std::optional<StoreCalls::Send> StoreCalls::call(StoreRequest request, std::int64_t now_ms,
                                                 Done done) {
  if (calls_.size() >= config_.pending_max) {
    done(Error{"busy", "too many store calls in flight (" + std::to_string(calls_.size()) + ")"});
    return std::nullopt;
  }
  auto id = next_correlation_++;
  auto& c = calls_[id];
  c.request = std::move(request);
  c.done = std::move(done);
  c.deadline_ms = now_ms + config_.timeout_ms;
  if (session_id_ != 0 && std::holds_alternative<storage::WriteRequest>(c.request)) {
    c.sequence = ++last_sequence_;
    unanswered_.insert(c.sequence);
    if (!held_.empty() || !in_window(c.sequence)) {  // behind the writes held already
      c.held = true;
      held_.push_back(id);
      return std::nullopt;
    }
  }
  return send(id, c, leader_node_, now_ms);
}

std::vector<StoreCalls::Send> StoreCalls::on_reply(std::uint64_t correlation,
                                                   Result<StoreReply> reply, std::int64_t now_ms) {
  std::vector<Send> out;
  auto it = calls_.find(correlation);
  if (it == calls_.end()) return out;  // late: completed or timed out already
  auto call = std::move(it->second);
  calls_.erase(it);
  if (reply && reply->error) {
    auto cls = classify(reply->error->code);
    bool retry = cls == ErrorClass::retry_elsewhere || cls == ErrorClass::retry_later;
    if (retry && call.attempts < config_.attempts_max && now_ms < call.deadline_ms) {
      auto id = next_correlation_++;
      auto& again = calls_[id] = std::move(call);
      if (cls == ErrorClass::retry_elsewhere && reply->leader_hint != 0) {
        leader_node_ = replica_node_id(reply->leader_hint);
        out.push_back(send(id, again, leader_node_, now_ms));
        return out;
      }
      leader_node_ = local_node_;
      again.resend_at_ms = now_ms + config_.backoff_ms;
      return out;  // still open: the window has not moved
    }
    finish(call, to_error(*reply->error));
  } else {
    finish(call, std::move(reply));
  }
  release_held(now_ms, out);
  return out;
}

void StoreCalls::release_held(std::int64_t now_ms, std::vector<Send>& out) {
  while (!held_.empty()) {
    auto it = calls_.find(held_.front());
    if (it == calls_.end() || !it->second.held) {  // ended while held (its deadline)
      held_.pop_front();
      continue;
    }
    if (!in_window(it->second.sequence)) return;
    held_.pop_front();
    it->second.held = false;
    out.push_back(send(it->first, it->second, leader_node_, now_ms));
  }
}

std::vector<StoreCalls::Send> StoreCalls::tick(std::int64_t now_ms) {
  std::vector<Send> out;
  std::vector<Call> expired;
  std::vector<Call> due;     // resent below, under new ids (calls_ must not grow while walked)
  std::vector<Call> unsent;  // held to their deadline: surely not applied
  for (auto it = calls_.begin(); it != calls_.end();) {
    auto& c = it->second;
    if (now_ms >= c.deadline_ms) {
      if (!c.held && !c.resend_at_ms && c.sent_to == leader_node_) leader_node_ = local_node_;
      (c.held ? unsent : expired).push_back(std::move(c));
      it = calls_.erase(it);
      continue;
    }
    if (c.held) {
      ++it;
      continue;
    }
    bool backed_off = c.resend_at_ms && now_ms >= *c.resend_at_ms;
    // A session write silent too long: the node it went to may be gone. Safe to send again
    // (the store applies it at most once); the local replica knows where the leader is now.
    bool silent = c.sequence != 0 && !c.resend_at_ms && config_.attempt_timeout_ms > 0 &&
                  now_ms - c.sent_at_ms >= config_.attempt_timeout_ms &&
                  c.attempts < config_.attempts_max;
    if (silent && c.sent_to == leader_node_) leader_node_ = local_node_;
    if (backed_off || silent) {
      due.push_back(std::move(c));
      it = calls_.erase(it);
      continue;
    }
    ++it;
  }
  // New ids: an answer to an earlier send must not complete a call twice.
  for (auto& call : due) {
    auto id = next_correlation_++;
    out.push_back(send(id, calls_[id] = std::move(call), leader_node_, now_ms));
  }
  for (auto& call : expired)
    finish(call, Error{"timeout", "no answer from the store within " +
                                      std::to_string(config_.timeout_ms) + " ms"});
  for (auto& call : unsent)
    finish(call, Error{"busy", "not sent: " + std::to_string(config_.session_window) +
                                   " writes of this client were in flight for " +
                                   std::to_string(config_.timeout_ms) + " ms"});
  // The window moved (time-outs): held writes go out in sequence order.
  release_held(now_ms, out);
  return out;
}

void StoreCalls::fail_all() {
  auto calls = std::move(calls_);
  calls_.clear();
  held_.clear();
  for (auto& [id, c] : calls) finish(c, Error{"unavailable", "the store client is going away"});
}

}  // namespace craton::store
