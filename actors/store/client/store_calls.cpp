// StoreCalls: leader following, back-off and deadlines of asynchronous store calls.
#include "actors/store/client/store_calls.hpp"

#include "actors/store/codec/store_codec.hpp"

namespace craton::store {

void write_request(schema::Envelope::Body::Builder body, const StoreRequest& request) {
  write_store_request(body.initStoreRequest(), request);
}

Result<StoreReply> read_reply(schema::Envelope::Body::Reader body) {
  if (!body.isStoreResponse()) return Error{"malformed", "not a store response"};
  return read_store_reply(body.getStoreResponse());
}

StoreCalls::StoreCalls(std::string local_node, std::uint64_t first_correlation,
                       StoreCallsConfig config)
    : local_node_(std::move(local_node)),
      leader_node_(local_node_),
      next_correlation_(first_correlation),
      config_(config) {}

StoreCalls::Send StoreCalls::send(std::uint64_t correlation, Call& call, const std::string& node) {
  ++call.attempts;
  call.resend_at_ms.reset();
  call.sent_to = node;
  return Send{node, correlation, call.request};
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
  return send(id, c, leader_node_);
}

std::optional<StoreCalls::Send> StoreCalls::on_reply(std::uint64_t correlation,
                                                     Result<StoreReply> reply,
                                                     std::int64_t now_ms) {
  auto it = calls_.find(correlation);
  if (it == calls_.end()) return std::nullopt;  // late: completed or timed out already
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
        return send(id, again, leader_node_);
      }
      leader_node_ = local_node_;
      again.resend_at_ms = now_ms + config_.backoff_ms;
      return std::nullopt;
    }
    call.done(to_error(*reply->error));
    return std::nullopt;
  }
  call.done(std::move(reply));
  return std::nullopt;
}

std::vector<StoreCalls::Send> StoreCalls::tick(std::int64_t now_ms) {
  std::vector<Send> out;
  std::vector<Done> expired;
  for (auto it = calls_.begin(); it != calls_.end();) {
    auto& c = it->second;
    if (now_ms >= c.deadline_ms) {
      if (!c.resend_at_ms && c.sent_to == leader_node_) leader_node_ = local_node_;
      expired.push_back(std::move(c.done));
      it = calls_.erase(it);
      continue;
    }
    if (c.resend_at_ms && now_ms >= *c.resend_at_ms) {
      // A new id: an answer to the earlier send must not complete this one twice.
      auto call = std::move(c);
      it = calls_.erase(it);
      auto id = next_correlation_++;
      out.push_back(send(id, calls_[id] = std::move(call), leader_node_));
      continue;
    }
    ++it;
  }
  for (auto& done : expired)
    done(Error{"timeout",
               "no answer from the store within " + std::to_string(config_.timeout_ms) + " ms"});
  return out;
}

void StoreCalls::fail_all() {
  auto calls = std::move(calls_);
  calls_.clear();
  for (auto& [id, c] : calls) c.done(Error{"unavailable", "the store client is going away"});
}

}  // namespace craton::store
