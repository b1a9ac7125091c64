// Leader election over a Lease: the calls, the reading of replies, and when to lead.
#include "actors/api/client/leader_election.hpp"

#include <kj/exception.h>

#include <capnp/message.h>
#include <algorithm>
#include <limits>
#include <utility>

#include "actors/api/client/kube_time.hpp"
#include "runtime/assert.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::api {
namespace {

namespace k8s = schema::k8s;

constexpr const char* kLeaseGroup = "coordination.k8s.io";

std::string text(capnp::Text::Reader t) {
  return std::string(t.cStr(), t.size());
}

Error invalid(const std::string& message) {
  return Error{"invalid", message};
}

}  // namespace

Result<LeaderElection> LeaderElection::make(LeaderElectionConfig config) {
  if (config.identity.empty()) return invalid("leader election needs an identity");
  if (config.lease_name.empty() || config.lease_namespace.empty())
    return invalid("leader election needs a lease namespace and name");
  if (config.lease_duration_ms < 1000 || config.renew_deadline_ms < 1000 ||
      config.retry_period_ms < 1000 || config.call_timeout_ms < 1)
    return invalid("lease duration, renew deadline and retry period must be at least 1 s");
  if (config.lease_duration_ms <= config.renew_deadline_ms)
    return invalid("the lease duration must be greater than the renew deadline");
  if (config.renew_deadline_ms * 10 <= config.retry_period_ms * 12)
    return invalid("the renew deadline must be greater than 1.2 x the retry period");
  return LeaderElection(std::move(config));
}

std::optional<LeaseCall> LeaderElection::next(std::int64_t now_ms) {
  if (leading_ && now_ms >= renewed_ms_ + config_.renew_deadline_ms) stop_leading();
  if (step_ != Step::idle) {
    if (now_ms - sent_ms_ < config_.call_timeout_ms) return std::nullopt;
    // Unanswered: failed (its late reply will not match call_id_); a write may have happened.
    if (step_ != Step::get) stale_ = true;
    step_ = Step::idle;
    due_ms_ = sent_ms_ + config_.retry_period_ms;
  }
  if (follow_up_ != Step::idle) {
    Step write = std::exchange(follow_up_, Step::idle);
    return write_call(write, now_ms);
  }
  if (now_ms < due_ms_) return std::nullopt;
  // A leader renews straight away with the version it wrote last, as recent client-go does;
  // after a write that failed it reads first.
  if (leading_ && !stale_ && record_.holder == config_.identity)
    return write_call(Step::update, now_ms);
  return get_call(now_ms);
}

void LeaderElection::on_reply(std::uint64_t call_id, const api::ApiReply& reply,
                              std::int64_t now_ms) {
  if (step_ == Step::idle || call_id != call_id_) return;
  Step step = std::exchange(step_, Step::idle);
  if (step == Step::get)
    on_read(reply, now_ms);
  else
    on_written(reply, now_ms);
  CRATON_ASSERT(!leading_ || record_.holder == config_.identity,
                "a leader is the holder of the lease it last saw");
}

std::int64_t LeaderElection::next_due_ms() const {
  if (step_ != Step::idle) return sent_ms_ + config_.call_timeout_ms;
  if (follow_up_ != Step::idle) return std::numeric_limits<std::int64_t>::min();
  std::int64_t due = due_ms_;
  if (leading_) due = std::min(due, renewed_ms_ + config_.renew_deadline_ms);
  return due;
}

LeaseCall LeaderElection::send(Step step, api::ApiCall call, std::int64_t now_ms) {
  step_ = step;
  sent_ms_ = now_ms;
  call.group = kLeaseGroup;
  call.version = "v1";
  call.resource = "leases";
  call.namespace_ = config_.lease_namespace;
  return LeaseCall{++call_id_, std::move(call)};
}

LeaseCall LeaderElection::get_call(std::int64_t now_ms) {
  api::ApiCall call;
  call.verb = api::ApiVerb::get;
  call.name = config_.lease_name;
  return send(Step::get, std::move(call), now_ms);
}

LeaseCall LeaderElection::write_call(Step step, std::int64_t now_ms) {
  CRATON_ASSERT(step == Step::create || step == Step::update, "only creates and updates write");
  bool ours = step == Step::update && record_.holder == config_.identity;
  pending_ = Record{config_.identity,
                    static_cast<std::int32_t>(config_.lease_duration_ms / 1000),
                    api::kube_micro_time(now_ms),
                    api::kube_micro_time(now_ms),
                    0,
                    0};
  if (ours && !record_.acquire_time.empty()) pending_.acquire_time = record_.acquire_time;
  // Kubernetes counts changes of holder; a lease made afresh starts at 0.
  if (step == Step::update) pending_.transitions = record_.transitions + (ours ? 0 : 1);

  capnp::MallocMessageBuilder message;
  auto lease = message.initRoot<k8s::Lease>();
  lease.setApiVersion("coordination.k8s.io/v1");
  lease.setKind("Lease");
  auto meta = lease.getMetadata();
  meta.setName(config_.lease_name);
  meta.setNamespace(config_.lease_namespace);
  if (step == Step::update) meta.setResourceVersion(std::to_string(record_.resource_version));
  auto spec = lease.getSpec();
  spec.setHolderIdentity(pending_.holder);
  spec.setLeaseDurationSeconds(pending_.duration_s);
  spec.setAcquireTime(pending_.acquire_time);
  spec.setRenewTime(pending_.renew_time);
  spec.setLeaseTransitions(pending_.transitions);

  api::ApiCall call;
  call.verb = step == Step::create ? api::ApiVerb::create : api::ApiVerb::update;
  if (step == Step::update) call.name = config_.lease_name;
  call.object = flat_bytes(message);
  return send(step, std::move(call), now_ms);
}

namespace {

// The record in a Lease the API answered (an error: not a Lease we can read).
template <class Record>
Result<Record> read_record(const api::ApiObjectBytes& object) {
  auto message = FlatMessage::open(object.bytes);
  if (!message) return message.error();
  try {
    auto lease = message->root<k8s::Lease>();
    auto spec = lease.getSpec();
    Record r{text(spec.getHolderIdentity()), spec.getLeaseDurationSeconds(),
             text(spec.getAcquireTime()),    text(spec.getRenewTime()),
             spec.getLeaseTransitions(),     object.resource_version};
    if (r.resource_version == 0)
      r.resource_version = std::atoll(lease.getMetadata().getResourceVersion().cStr());
    return r;
  } catch (const kj::Exception& e) {
    return Error{"malformed",
                 std::string("the lease does not decode: ") + e.getDescription().cStr()};
  }
}

}  // namespace

void LeaderElection::on_read(const api::ApiReply& reply, std::int64_t now_ms) {
  if (reply.code == 404) {
    // Nobody holds a lease that is gone; a leader whose lease was deleted stops at once.
    lease_exists_ = false;
    if (leading_) stop_leading();
    follow_up_ = Step::create;
    return;
  }
  auto record = reply.ok() ? read_record<Record>(reply.object) : Result<Record>(Error{});
  if (!record) return wait_retry(now_ms);
  observe(std::move(*record), now_ms);
  stale_ = false;
  if (leading_ && record_.holder != config_.identity) stop_leading();
  if (held_by_another(now_ms)) return wait_retry(now_ms);
  follow_up_ = Step::update;
}

void LeaderElection::on_written(const api::ApiReply& reply, std::int64_t now_ms) {
  // Unless it succeeded, the write may or may not have happened: what we hold is no longer
  // known to be the API's version.
  stale_ = !reply.ok();
  if (reply.code == 409) {  // another instance wrote first (or created it): read it again
    due_ms_ = now_ms;
    return;
  }
  if (reply.code == 404) {  // deleted under us
    lease_exists_ = false;
    if (leading_) stop_leading();
    due_ms_ = now_ms;
    return;
  }
  if (!reply.ok()) return wait_retry(now_ms);
  Record written = pending_;
  auto answered = read_record<Record>(reply.object);
  if (answered) written = std::move(*answered);
  written.resource_version = std::max(written.resource_version, reply.object.resource_version);
  observe(std::move(written), now_ms);
  wait_retry(now_ms);
  if (record_.holder != config_.identity) return;
  renewed_ms_ = sent_ms_;
  // An answer that comes after the deadline is too late to lead on: others may already
  // judge the lease expired by their clocks.
  if (now_ms >= renewed_ms_ + config_.renew_deadline_ms) {
    if (leading_) stop_leading();
    return;
  }
  if (!leading_) start_leading();
}

void LeaderElection::observe(Record record, std::int64_t now_ms) {
  if (!lease_exists_ || !(record == record_)) observed_ms_ = now_ms;
  record_ = std::move(record);
  lease_exists_ = true;
}

bool LeaderElection::held_by_another(std::int64_t now_ms) const {
  if (record_.holder.empty() || record_.holder == config_.identity) return false;
  std::int64_t duration_ms =
      record_.duration_s > 0 ? std::int64_t{record_.duration_s} * 1000 : config_.lease_duration_ms;
  return now_ms < observed_ms_ + duration_ms;
}

void LeaderElection::start_leading() {
  leading_ = true;
  if (config_.on_started_leading) config_.on_started_leading();
}

void LeaderElection::stop_leading() {
  leading_ = false;
  if (config_.on_stopped_leading) config_.on_stopped_leading();
}

}  // namespace craton::api
