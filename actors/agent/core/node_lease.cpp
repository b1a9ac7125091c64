// NodeLease and StatusSchedule: the kubelet's heartbeats (see the header).
#include "actors/agent/core/node_lease.hpp"

#include <capnp/message.h>
#include <kj/exception.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "actors/api/client/kube_time.hpp"
#include "runtime/assert.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::agent {

namespace k8s = schema::k8s;

namespace {

// The object's resourceVersion: the reply's, else its metadata's (0: none readable).
std::int64_t resource_version_of(const api::ApiObjectBytes& object) {
  if (object.resource_version > 0) return object.resource_version;
  auto message = FlatMessage::open(object.bytes);
  if (!message) return 0;
  try {
    return std::atoll(message->root<k8s::Lease>().getMetadata().getResourceVersion().cStr());
  } catch (const kj::Exception&) {
    return 0;
  }
}

}  // namespace

std::optional<NodeLeaseCall> NodeLease::next(std::int64_t now_ms) {
  if (step_ != Step::idle) {
    if (now_ms - sent_ms_ < config_.call_timeout_ms) return std::nullopt;
    step_ = Step::idle;  // unanswered: its late reply will not match call_id_
    failed(now_ms, true);
  }
  if (follow_up_ != Step::idle) return write(std::exchange(follow_up_, Step::idle), now_ms);
  if (now_ms < due_ms_) return std::nullopt;
  if (resource_version_ != 0) return write(Step::update, now_ms);
  api::ApiCall call;
  call.verb = api::ApiVerb::get;
  call.name = config_.node_name;
  return send(Step::get, std::move(call), now_ms);
}

void NodeLease::on_reply(std::uint64_t id, const api::ApiReply& reply, std::int64_t now_ms) {
  if (step_ == Step::idle || id != call_id_) return;
  Step step = std::exchange(step_, Step::idle);
  if (step == Step::get) {
    if (reply.code == 404) {
      follow_up_ = Step::create;
    } else if (reply.ok() && resource_version_of(reply.object) > 0) {
      resource_version_ = resource_version_of(reply.object);
      follow_up_ = Step::update;
    } else {
      failed(now_ms, true);
    }
    return;
  }
  if (!reply.ok()) {
    // 409: written by someone else (or created meanwhile); 404: deleted. Either way, read.
    return failed(now_ms, true);
  }
  // A reply without a readable version: read before the next renewal.
  resource_version_ = resource_version_of(reply.object);
  renewed_ms_ = sent_ms_;
  ++renewals_;
  backoff_ms_ = 0;
  due_ms_ = sent_ms_ + config_.renew_ms;
}

void NodeLease::failed(std::int64_t now_ms, bool read_first) {
  ++failures_;
  if (read_first) resource_version_ = 0;
  backoff_ms_ =
      backoff_ms_ == 0 ? config_.retry_ms : std::min(backoff_ms_ * 2, config_.retry_ms_max);
  due_ms_ = now_ms + backoff_ms_;
}

NodeLeaseCall NodeLease::send(Step step, api::ApiCall call, std::int64_t now_ms) {
  step_ = step;
  sent_ms_ = now_ms;
  call.group = "coordination.k8s.io";
  call.version = "v1";
  call.resource = "leases";
  call.namespace_ = config_.lease_namespace;
  return NodeLeaseCall{++call_id_, std::move(call)};
}

NodeLeaseCall NodeLease::write(Step step, std::int64_t now_ms) {
  CRATON_ASSERT(step == Step::create || step == Step::update, "the lease writes by create/update");
  capnp::MallocMessageBuilder message;
  auto lease = message.initRoot<k8s::Lease>();
  lease.setApiVersion("coordination.k8s.io/v1");
  lease.setKind("Lease");
  auto meta = lease.getMetadata();
  meta.setName(config_.node_name);
  meta.setNamespace(config_.lease_namespace);
  if (step == Step::update) meta.setResourceVersion(std::to_string(resource_version_));
  if (!owner_uid_.empty()) {
    auto owner = meta.initOwnerReferences(1)[0];
    owner.setApiVersion("v1");
    owner.setKind("Node");
    owner.setName(config_.node_name);
    owner.setUid(owner_uid_);
  }
  auto spec = lease.getSpec();
  spec.setHolderIdentity(config_.node_name);
  spec.setLeaseDurationSeconds(static_cast<std::int32_t>(config_.lease_duration_ms / 1000));
  spec.setRenewTime(api::kube_micro_time(now_ms));
  api::ApiCall call;
  call.verb = step == Step::create ? api::ApiVerb::create : api::ApiVerb::update;
  if (step == Step::update) call.name = config_.node_name;
  call.object = flat_bytes(message);
  return send(step, std::move(call), now_ms);
}

bool StatusSchedule::due(const std::string& fingerprint, std::int64_t now_ms) const {
  if (in_flight_) return false;
  if (now_ms < retry_at_ms_) return false;
  if (!posted_ || *posted_ != fingerprint) return true;
  return now_ms - posted_ms_ >= config_.report_ms;
}

void StatusSchedule::sent(const std::string& fingerprint, std::int64_t now_ms) {
  in_flight_ = true;
  sending_ = fingerprint;
  sent_ms_ = now_ms;
}

void StatusSchedule::answered(bool ok, std::int64_t now_ms) {
  if (!in_flight_) return;
  in_flight_ = false;
  if (!ok) {
    retry_at_ms_ = now_ms + config_.retry_ms;
    return;
  }
  posted_ = sending_;
  posted_ms_ = sent_ms_;
  ++posts_;
}

}  // namespace craton::agent
