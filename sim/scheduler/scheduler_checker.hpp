// The scheduler checker: what the scheduler scenario (sim/scheduler/scheduler_scenario.hpp) must
// show, judged from a RunHistory alone (pure; tests fabricate histories). It reads the auditors'
// SchedulerViews (sim/world/observation.hpp) and the scheduler instances' probes, the text the
// scheduler's shell and service write to the trace (an instance is a node's incarnation):
//   "scheduler leading: acts"          its leadership term starts (it holds the Lease)
//   "scheduler not leading: waits"     the term ends
//   "scheduler binds <ns>/<pod> <node>"        a binding sent
//   "scheduler bound <ns>/<pod> <node> <code>" its answer (2xx: the API accepted it)
//
// Rules:
// - capacity: in every view, the pods bound to a node do not exceed its allocatable (cpu,
//   memory, pods). It holds because the scheduler keeps a timed-out binding's room taken until
//   its informer shows what happened (kube-scheduler frees it at once, which seed 1007 on 5
//   nodes showed overcommitting a node: 6.1 CPUs of 4). A node the view's pods name but its
//   nodes informer has not listed yet (allocatable all zero) is not judged.
// - bound once: a pod uid, once seen bound to a node in any view, is never seen bound to
//   another; and the API accepts at most one binding per pod.
// - binds only while leading: an instance sends bindings only inside one of its terms.
// - one binder at a time: let an instance X's term start at t0 (the "leading: acts" probe) and
//   X's last accepted binding in that term be sent at t1. No other instance sends a binding
//   the API accepts at any time in [t0, t1]. Why this holds with leader election (client-go's,
//   actors/api/client/leader_election.hpp), and why it is the exact claim: another instance Y
//   binds only while Y leads, and Y leads only until renew_deadline after it SENT its last
//   successful renewal r_Y. X took the Lease with a write conditional on the version r_Y
//   wrote, sent no earlier than lease_duration after X first read that version (which is after
//   r_Y was sent); so every binding of Y's term was sent before X's term started, with the
//   lease_duration - renew_deadline margin (5 s) for clock rates and the shell's tick. If Y
//   took the Lease while X's term lasted, X's later renewals fail (their version is stale), so
//   X's term ends by the same argument before Y's term starts. What is NOT claimed: that
//   accepted bindings never interleave at the API. A binding sent while leading may be
//   accepted after the term ended and another instance started (messages and store writes
//   take time; leader election is not a fencing token, in Kubernetes either), so the check
//   is on when bindings were sent, counting only those the API accepted.
// - convergence: in the last view of every auditor alive at the end (node up, its last
//   incarnation), no pending pod fits the room left on some node (allocatable minus the
//   requests bound there, in every resource, one pod slot). Sound for the scenario's pods,
//   which carry no selectors, affinities or tolerations: room is then all that decides.
#pragma once

#include "sim/world/run_history.hpp"

namespace craton::sim {

/// Judges the history by the rules above; counts: scheduler_views_judged, views_overcommitted,
/// bindings_sent,
/// bindings_accepted, leader_terms, terms_with_bindings, auditors_converged,
/// pods_bound_at_end, pods_pending_at_end.
CheckResult check_scheduling(const RunHistory& history);

}  // namespace craton::sim
