// The Job controller (Kubernetes' pkg/controller/job, batch/v1 Jobs) as a pure
// reconcile core: runs a Job's pods until enough of them succeed, or fails the Job.
//
// One sync of a Job:
//   1. accounting: its pods (controlled by its uid) that finished since the last count are
//      added to status.succeeded / status.failed exactly once. Pods are created with the
//      finalizer batch.kubernetes.io/job-tracking, as Kubernetes does: a finished pod still
//      carrying it has not been counted. The counts are written to /status first; only once
//      that write succeeded is the finalizer removed (a later sync), so a refused status write
//      never loses a pod. A pod deleted before it succeeded counts as failed, unless the Job
//      is suspended (the suspension deleted it: kube's backoffLimit is not spent by a pause).
//   2. unless the Job is finished and while its expectations are satisfied: the finished
//      condition. Failed, reason BackoffLimitExceeded, when failed > spec.backoffLimit (or, for
//      restartPolicy OnFailure, when the active pods' container restarts reach it); Failed,
//      reason DeadlineExceeded, once activeDeadlineSeconds passed since status.startTime; both
//      delete every active pod. Complete when `completions` pods succeeded (a number) or, with
//      completions nil (the work queue pattern), when one succeeded and none is active.
//   3. spec.suspend (batch/v1, kube 1.24+): a suspended Job runs no pod: its active pods are
//      deleted, condition Suspended=True (reason JobSuspended), no startTime; on resume the
//      condition turns False (reason JobResumed) and startTime is set anew, so
//      activeDeadlineSeconds counts from the resume. Events Suspended / Resumed.
//   4. otherwise the active pods are brought to min(parallelism, completions - succeeded)
//      (nil completions: parallelism until one pod succeeded, then no new pod): surplus pods
//      are deleted least valuable first; missing ones created from the template (generateName
//      "<job>-", the template's labels: the API's Job defaulting already put controller-uid,
//      job-name and their batch.kubernetes.io/ forms there), but after a failure only once the
//      pod-failure back-off passed: 10 s after the first failure since the last success,
//      doubling per failure, capped at 6 min (Kubernetes' DefaultJobBackOff / MaxJobBackOff).
//      Indexed Jobs (completionMode Indexed, completion_index.hpp): one active pod per index
//      in [0, completions) not yet succeeded, lowest first (generateName "<job>-<i>-",
//      hostname "<job>-<i>", the index annotation and label, JOB_COMPLETION_INDEX); a pod with
//      no valid index, of a succeeded index or a second one of an index is deleted; succeeded
//      counts the succeeded indexes, written as status.completedIndexes ("1,3-5").
//   5. status: startTime (first sync, or resume), active, ready, succeeded, failed, completionTime
//   (when
//      Complete) and the conditions, written to /status only when something changed.
// A Job or pod that goes away takes nothing with it: the finalizers of its pods are removed.
//
// Events, as kube's job-controller records them: SuccessfulCreate / SuccessfulDelete ("Created
// pod: <name>") and FailedCreate (Warning) for each pod call; once the status write carrying
// the change is stored: Suspended, Resumed, Completed ("Job completed"), and the Failed
// condition's reason and message as a Warning (BackoffLimitExceeded, DeadlineExceeded).
//
// What it leaves out (as of this commit): podFailurePolicy, backoffLimitPerIndex,
// ttlSecondsAfterFinished, adopting orphan pods that match the selector, and
// status.uncountedTerminatedPods (our schema has no such field). In its place the uids counted by
// a status write whose finalizers are not yet removed are held in memory: a manager that
// restarts (or loses its lease) between the two writes counts those pods again. The back-off
// clock is the manager's, started when a failure is counted, not the pod's finish time.
#pragma once

#include <cstdint>

#include "actors/controllers/controller.hpp"

namespace craton::controllers {

struct JobConfig {
  std::int64_t burst_pods = 500;  ///< pods created or deleted per sync (Kubernetes' MaxBatchSize)
  std::int64_t backoff_ms = 10'000;       ///< back-off after the first failure
  std::int64_t backoff_ms_max = 360'000;  ///< cap of the doubling back-off
  /// Seconds since the epoch at the manager's clock zero (status times are wall-clock).
  std::int64_t wall_clock_base_s = 0;
};

/// The finalizer that keeps a Job's pod until the Job counted it.
inline constexpr const char* kJobTrackingFinalizer = "batch.kubernetes.io/job-tracking";

ControllerFactory job_controller(JobConfig config = {});

}  // namespace craton::controllers
