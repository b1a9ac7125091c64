#include "actors/agent/service/pod_side.hpp"

#include "actors/api/client/pod_status_patch.hpp"

namespace craton::agent {

DriverOutcome refused_outcome(DriverCallKind kind, const Error& error) {
  switch (kind) {
    case DriverCallKind::start_sandbox:
      return Result<SandboxStatus>(error);
    case DriverCallKind::start_container:
      return Result<ContainerStatus>(error);
    case DriverCallKind::exec_hook:
    case DriverCallKind::exec_probe:
      return Result<ExecResult>(error);
    case DriverCallKind::http_probe:
    case DriverCallKind::tcp_probe:
      return ProbeOutcome::failure;
    case DriverCallKind::prepare_volumes:
    case DriverCallKind::signal:
    case DriverCallKind::remove_container:
    case DriverCallKind::remove_sandbox:
      break;
  }
  return Status(error);
}

PodSide::PodSide(PodSideConfig config, AgentService& service, RunCall run, ListHost list)
    : config_(std::move(config)),
      base_ms_(config_.wall_clock_base_s * 1000),
      service_(service),
      run_(std::move(run)),
      list_(std::move(list)),
      sync_(config_.sync) {}

void PodSide::adopt(std::vector<PodRecord> records, std::int64_t now_ms) {
  sync_.adopt(std::move(records), wall(now_ms));
  adopted_ = true;
  // Pods the informer delivered before the host was read were held back: take them now.
  for (const auto& pod : service_.pods().cache().list()) sync_.upsert(pod, wall(now_ms));
  pump(now_ms);
}

void PodSide::pod_added(const api::InformerObject& pod, std::int64_t now_ms) {
  if (adopted_) sync_.upsert(pod, wall(now_ms));
}

void PodSide::pod_updated(const api::InformerObject&, const api::InformerObject& pod,
                          std::int64_t now_ms) {
  if (adopted_) sync_.upsert(pod, wall(now_ms));
}

void PodSide::pod_deleted(const api::InformerObject& last_pod, std::int64_t now_ms) {
  if (adopted_) sync_.remove(last_pod.uid(), wall(now_ms));
}

void PodSide::tick(std::int64_t now_ms) {
  pump(now_ms);
}

void PodSide::on_result(std::uint64_t call_id, DriverOutcome outcome, std::int64_t now_ms) {
  sync_.on_result(call_id, std::move(outcome), wall(now_ms));
  pump(now_ms);
}

void PodSide::on_records(std::vector<PodRecord> records, std::int64_t now_ms) {
  listing_ = false;
  sync_.on_records(std::move(records), wall(now_ms), list_mark_);
  pump(now_ms);
}

void PodSide::pump(std::int64_t now_ms) {
  if (!adopted_) return;
  // Host pods the API does not bind here are orphans only once the API's list is complete.
  if (!api_listed_ && service_.pods().synced()) {
    api_listed_ = true;
    sync_.api_listed(wall(now_ms));
  }
  if (!listing_ && now_ms >= list_due_ms_) {
    listing_ = true;
    list_mark_ = sync_.list_mark();
    list_due_ms_ = now_ms + config_.list_every_ms;
    list_();
  }
  for (auto& call : sync_.tick(wall(now_ms))) run_(std::move(call));
  // Status first: a removed pod's final status is written before it is deleted.
  for (auto& update : sync_.take_status_updates()) write_status(std::move(update), now_ms);
  for (auto it = waiting_.begin(); it != waiting_.end();) {  // their earlier write is answered
    if (writing_.contains(it->first)) {
      ++it;
      continue;
    }
    auto update = std::move(it->second);
    it = waiting_.erase(it);
    write_status(std::move(update), now_ms);
  }
  if (!unsent_.empty() && now_ms >= retry_due_ms_) {
    auto again = std::move(unsent_);
    unsent_.clear();
    for (auto& [uid, update] : again) write_status(std::move(update), now_ms);
  }
  for (auto& removal : sync_.take_removals()) delete_pod(std::move(removal), now_ms);
  if (!undeleted_.empty() && now_ms >= retry_due_ms_) {
    auto again = std::move(undeleted_);
    undeleted_.clear();
    for (auto& removal : again) delete_pod(std::move(removal), now_ms);
  }
}

// The kubelet's status manager ends a pod so: once its processes are gone, DELETE with grace 0
// (the API then removes it) and a uid precondition (a namesake made meanwhile is left alone).
void PodSide::delete_pod(PodSync::Removal removal, std::int64_t now_ms) {
  api::ApiCall remove;
  remove.verb = api::ApiVerb::remove;
  remove.resource = "pods";
  remove.namespace_ = removal.pod_namespace;
  remove.name = removal.name;
  remove.object = api::delete_options(0, removal.uid);
  service_.call(
      std::move(remove),
      [this, removal, now_ms](const api::ApiReply& reply) {
        // 404: gone already; 409: the name is another pod's now. Either way this one is gone.
        if (reply.ok() || reply.code == 404 || reply.code == 409) return;
        retry_due_ms_ = now_ms + config_.status_retry_ms;
        undeleted_.push_back(removal);
      },
      now_ms);
}

namespace {

// The status as the kubelet's status manager patches it: strategic merge, so conditions merge by
// type and those of other writers (the scheduler's DisruptionTarget, say) stay. The conditions
// the agent owns replace the stored ones of their type whole: a field the agent leaves out
// (Ready's reason once it turns True) is sent as null, as kube's two-way merge patch from the
// old status to the new one would send it.
nlohmann::json owned_conditions(nlohmann::json status) {
  if (!status.contains("conditions")) return status;
  for (auto& condition : status["conditions"])
    for (const char* field : {"reason", "message", "lastProbeTime"})
      if (!condition.contains(field)) condition[field] = nullptr;
  return status;
}

}  // namespace

void PodSide::write_status(PodSync::StatusUpdate update, std::int64_t now_ms) {
  auto uid = update.uid;
  unsent_.erase(uid);
  if (writing_.contains(uid)) {  // sent when the write in flight is answered (see writing_)
    waiting_.insert_or_assign(uid, std::move(update));
    return;
  }
  auto patch =
      api::pod_status_patch(update.pod_namespace, update.name, owned_conditions(update.status));
  writing_.insert(uid);
  ++counters_.sent;
  // The service answers every call: with the API's reply, or an error once it gave up on it
  // (call timeout, or the agent moved to another API), so a pod's writing_ entry always ends.
  service_.call(
      std::move(patch),
      [this, update = std::move(update), now_ms](const api::ApiReply& reply) {
        writing_.erase(update.uid);
        if (reply.ok() || reply.code == 404) {
          ++counters_.written;
        } else {
          ++counters_.failed;
          ++counters_.failed_by_code[reply.code];
          counters_.last_failure = update.pod_namespace + "/" + update.name + ": " +
                                   std::to_string(reply.code) + " " + reply.failure.reason + ": " +
                                   reply.failure.message;
        }
        // A newer status waiting supersedes this one, failed or not: the next pump sends it.
        if (waiting_.contains(update.uid)) return;
        if (reply.ok() || reply.code == 404) return;  // written, or the pod is gone
        retry_due_ms_ = now_ms + config_.status_retry_ms;
        unsent_.emplace(update.uid, update);
      },
      now_ms);
}

}  // namespace craton::agent
