// The Deployment controller (Kubernetes' pkg/controller/deployment) as a pure reconcile core:
// a Deployment declares a pod template and a replica count; the controller keeps one
// ReplicaSet per template it has run (the newest one is "new", the others "old") and moves
// replicas from the old ones to the new one as the strategy allows.
//
// One sync of a Deployment, as kube's syncDeployment does it:
//   1. claim its ReplicaSets by ownerReferences (adopt matching orphans, release those that no
//      longer match), as the ReplicaSet controller claims pods;
//   2. find the new ReplicaSet: the oldest whose template equals spec.template ignoring the
//      pod-template-hash label. Its name is "<deployment>-<hash>" where the hash is FNV-32a over
//      the template's CANONICAL Cap'n Proto bytes (capnp::canonicalize, so equal templates hash
//      equally in every process and build), then collisionCount (kube's ComputeHash shape),
//      printed in kube's SafeEncodeString alphabet. Failing a template match, the owned
//      ReplicaSet bearing that very name is the new one (a template the API wrote back a little
//      differently must not be created again under ever new collision counts); a name taken
//      by another object raises status.collisionCount instead;
//   3. deleted: status only. Paused, or a scaling event (an active ReplicaSet's desired-replicas
//      annotation differs from spec.replicas): scale (proportionally across the active
//      ReplicaSets when several are), no new ReplicaSet, no rollout step. Otherwise the strategy:
//      RollingUpdate keeps spec.replicas + maxSurge replicas at most and spec.replicas -
//      maxUnavailable available at least (counted from the ReplicaSets' status, as kube does);
//      Recreate scales every old ReplicaSet to 0, waits until their pods are gone, then scales
//      the new one up;
//   4. once complete, deletes the oldest old ReplicaSets at 0 replicas beyond
//      revisionHistoryLimit (default 10);
//   5. status: replicas, updatedReplicas, readyReplicas, availableReplicas,
//      unavailableReplicas, observedGeneration, collisionCount, and the Available / Progressing
//      conditions with kube's reasons; again_at_ms asks for a sync when the progress deadline
//      would pass.
// Revisions: a new ReplicaSet gets `deployment.kubernetes.io/revision` = max(old) + 1; a
// ReplicaSet that becomes new again (`kubectl rollout undo` patches the template back) gets a
// new number and keeps its former ones in `revision-history`. ReplicaSets carry
// `desired-replicas` and `max-replicas` (what proportional scaling divides by).
//
// Each object gets at most one write per sync (the API refuses a second write at the same
// resourceVersion), so the Deployment's own revision annotation (a write of the main resource:
// the API's /status keeps metadata) goes alone, and its status follows at the next sync.
// Every ReplicaSet update is made at the cached resourceVersion: a stale cache gets 409 and
// the key comes back, so no decision is taken twice on old counts.
// Creates and sizes computed from stale counts have no such guard, so a Deployment's next sync
// also waits until the ReplicaSet informer shows the writes of its last one (own_writes.hpp).
//
// Left out: the deprecated spec.rollbackTo, the ReplicaFailure condition, events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actors/controllers/controller.hpp"
#include "schemas/api_pod.capnp.h"

namespace craton::controllers {

struct DeploymentConfig {
  /// Seconds since the epoch at the manager's clock zero (condition times are wall-clock).
  std::int64_t wall_clock_base_s = 0;
};

ControllerFactory deployment_controller(DeploymentConfig config = {});

/// The pod-template-hash of a template (see the header's paragraph 2): deterministic, stable
/// across processes, at most 10 characters of [bcdfghjklmnpqrstvwxz2456789].
std::string pod_template_hash(schema::k8s::PodTemplateSpec::Reader pod_template,
                              std::optional<std::int32_t> collision_count);

/// The template without its pod-template-hash label equals `b` without its own.
bool templates_equal_ignoring_hash(schema::k8s::PodTemplateSpec::Reader a,
                                   schema::k8s::PodTemplateSpec::Reader b);

}  // namespace craton::controllers
