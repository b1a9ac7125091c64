// The node agent as an actor (issue 14): AgentService (agent_service.hpp) bound to envelopes,
// a timer and a worker thread. It registers as "agent" with its node's router, sends the
// service's calls to the API actor ("<api node>/api") in apiRequest envelopes and hands the
// answers and watch events back by correlation id, as the API component shell does
// (actors/api/informer/api_component_actor.hpp, election off: every agent acts for its own
// node); what it adds is a JobRunner (job_runner.hpp) for blocking host work (each pod's calls in
// order under the pod's uid, pods side by side): reading the
// host's figures every host_facts_ms now, the PodDriver's calls once the pod side plugs in.
// Results come back as a message to the actor, which drains them on its own thread.
//
// The API node is the first of api_nodes; when its link goes down (issue 14: a dead server is
// seen at once, not after seconds of silence) or no answer came for api_switch_ms while calls
// were pending, it moves to the next one (another control-plane process): the calls in flight
// fail at once and every informer lists and watches again there (api::ApiEndpoints). An API
// that restarted behind a live link is found by the informers' watch probes.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/agent/driver/pod_driver.hpp"
#include "actors/agent/linux/host_facts.hpp"
#include "actors/agent/service/agent_service.hpp"
#include "actors/agent/service/job_runner.hpp"
#include "actors/agent/service/pod_side.hpp"
#include "runtime/environment.hpp"

namespace craton::agent {

struct AgentActorConfig {
  AgentServiceConfig service;          ///< first_correlation is set by the actor
  std::vector<std::string> api_nodes;  ///< empty: its own node's API actor
  std::int64_t tick_ms = 100;
  std::int64_t api_switch_ms = 20'000;
  /// How often the host is read again (kubelet's nodeStatusUpdateFrequency, 10 s).
  std::int64_t host_facts_ms = 10'000;
  /// The workers for blocking host work: a pod's calls run in order, pods side by side;
  /// workers = 0 runs them inline (the simulator).
  JobRunnerConfig jobs;
  /// Reads the host on the worker (default: read_host_facts(host) on this Linux host; the
  /// simulator gives its own).
  std::function<Result<HostFacts>()> read_facts;
  HostFactsOptions host;
  /// The driver that runs this node's pods (the Linux driver, or the fake one with --driver
  /// fake); null: pods are only watched. Shared with the agent's log server, which reads logs
  /// from it on its own threads (the driver allows that).
  std::shared_ptr<PodDriver> driver;
  /// Where pods' volumes are made, on the worker like driver calls (null: none are made).
  std::shared_ptr<VolumeHost> volume_host;
  /// The pod side (PodSync); node_name, host_ip and the wall clock are filled by the actor.
  PodSideConfig pods;
};

/// Precondition: AgentService::create(config.service) succeeds (the command line checks it
/// first, so a bad flag is an error message, not a crash).
caf::actor spawn_agent(caf::actor_system& sys, const NodeContext& node, AgentActorConfig config);

}  // namespace craton::agent
