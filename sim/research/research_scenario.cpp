// The research scenario and its workload submitter (sim/research/research_scenario.hpp).
#include "sim/research/research_scenario.hpp"

#include <algorithm>
#include <map>

#include "actors/api/client/api_protocol.hpp"
#include "runtime/correlation.hpp"
#include "sim/api/actor_informer.hpp"
#include "sim/api/api_clients.hpp"
#include "sim/cluster/cluster_clients.hpp"
#include "sim/cluster/cluster_scenario.hpp"
#include "sim/cluster/worker_ip.hpp"
#include "sim/research/workload_objects.hpp"

namespace craton::research {

namespace {

using submit_atom = caf::atom_constant<caf::atom("rs_submit")>;
constexpr std::int64_t kRetryMs = 200;

struct SubmitterState {
  std::unique_ptr<ActorEnv> env;
  std::shared_ptr<const std::vector<PodSubmission>> pods;
  ResearchScenarioOptions options;
  std::uint64_t next_correlation = 1;
  std::size_t next = 0;            ///< the next pod never sent
  std::vector<std::size_t> retry;  ///< pods to send again
  struct InFlight {
    std::size_t pod = 0;
    std::int64_t sent_ms = 0;
  };
  std::map<std::uint64_t, InFlight> in_flight;  ///< by correlation
  std::map<std::size_t, int> refused;           ///< client-error answers so far, by submission
  std::shared_ptr<SubmitRefusals> refusals;     ///< given up (the scenario reads them)
  std::shared_ptr<RunStop> stop;                ///< may be null
  static inline const char* name = "craton.workload-submitter";
};
using SubmitterActor = caf::stateful_actor<SubmitterState>;

void send_create(SubmitterActor* self, std::size_t pod) {
  auto& st = self->state;
  const auto& item = (*st.pods)[pod];
  auto call =
      item.kind == SubmitKind::delete_node
          ? sim::api_call_on("", "nodes", api::ApiVerb::remove, "", item.name)
      : item.kind == SubmitKind::create_priority_class
          ? sim::api_call_on("scheduling.k8s.io", "priorityclasses", api::ApiVerb::create, "")
          : sim::api_call_on("", "pods", api::ApiVerb::create, st.options.namespace_);
  call.object = item.object;
  auto correlation = st.next_correlation++;
  st.in_flight[correlation] = {pod, st.env->now_ms(self)};
  sim::send_api_call(self, *st.env, correlation, call);
}

void submit_due(SubmitterActor* self) {
  auto& st = self->state;
  auto now = st.env->now_ms(self);
  // Unanswered creates are sent again (the pod name makes a landed one answer 409).
  for (auto it = st.in_flight.begin(); it != st.in_flight.end();) {
    if (now - it->second.sent_ms >= st.options.call_timeout_ms) {
      st.retry.push_back(it->second.pod);
      it = st.in_flight.erase(it);
    } else {
      ++it;
    }
  }
  while (!st.retry.empty() && st.in_flight.size() < ResearchScenario::kSubmitInFlightMax) {
    auto pod = st.retry.front();
    st.retry.erase(st.retry.begin());
    send_create(self, pod);
  }
  const auto& pods = *st.pods;
  while (st.next < pods.size() && pods[st.next].at_ms <= now &&
         st.in_flight.size() < ResearchScenario::kSubmitInFlightMax)
    send_create(self, st.next++);
  // Wake at the next submit time, or soon when something waits for room or an answer.
  std::int64_t wait = -1;
  if (!st.in_flight.empty() || !st.retry.empty()) wait = kRetryMs;
  if (st.next < pods.size()) {
    auto until = std::max<std::int64_t>(pods[st.next].at_ms - now, 1);
    wait = wait < 0 ? until : std::min(wait, until);
  }
  if (wait >= 0)
    self->delayed_send(self, st.env->timer(std::chrono::milliseconds(wait)), submit_atom::value);
}

caf::behavior submitter(SubmitterActor* self, NodeContext node,
                        std::shared_ptr<const std::vector<PodSubmission>> pods,
                        ResearchScenarioOptions options, std::shared_ptr<SubmitRefusals> refusals,
                        std::shared_ptr<RunStop> stop) {
  auto& st = self->state;
  st.refusals = std::move(refusals);
  st.stop = std::move(stop);
  st.pods = std::move(pods);
  st.options = std::move(options);
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "workload-submitter");
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(1)), submit_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        sim::for_each_envelope(wire, [self](std::uint64_t correlation, auto body) {
          auto& st = self->state;
          auto it = st.in_flight.find(correlation);
          if (it == st.in_flight.end() || !body.isApiResponse()) return;
          auto reply = api::read_api_reply(body.getApiResponse());
          auto pod = it->second.pod;
          st.in_flight.erase(it);
          const auto& item = (*st.pods)[pod];
          bool landed =
              item.kind == SubmitKind::delete_node ? reply.code == 404 : reply.code == 409;
          if (reply.ok() || landed) return;
          // A client error other than a conflict or throttling is the API's verdict on the
          // object (admission, validation): asking again cannot change it for ever.
          bool refusal = reply.code >= 400 && reply.code < 500 && reply.code != 429;
          if (refusal && ++st.refused[pod] >= ResearchScenario::kRefusedAttemptsMax) {
            st.refusals->push_back(item.name + ": " + std::to_string(reply.code) + " " +
                                   reply.failure.reason + ": " + reply.failure.message);
            if (st.stop && item.kind == SubmitKind::create_pod)
              st.stop->give_up(st.options.namespace_ + "/" + item.name);
            return;
          }
          st.retry.push_back(pod);
        });
      },
      [self](submit_atom) { submit_due(self); },
  };
}

std::vector<std::string> first(const std::vector<std::string>& nodes, std::size_t n) {
  return {nodes.begin(), nodes.begin() + std::ptrdiff_t(std::min(n, nodes.size()))};
}

}  // namespace

ResearchScenario::ResearchScenario(std::vector<std::string> node_ids,
                                   std::vector<workload::Node> workers,
                                   std::vector<PodSubmission> pods,
                                   scheduler::SchedulerConfig policy,
                                   ResearchScenarioOptions options, std::shared_ptr<RunStop> stop)
    : nodes_(std::move(node_ids)),
      control_plane_(first(nodes_, sim::control_plane_size(nodes_.size()))),
      workers_(std::move(workers)),
      pods_(std::make_shared<const std::vector<PodSubmission>>(std::move(pods))),
      policy_(std::move(policy)),
      options_(std::move(options)),
      store_(control_plane_, sim::cluster_store_options(sim::StoreScenarioOptions{})),
      stop_(std::move(stop)) {}

std::vector<caf::actor> ResearchScenario::spawn_node(caf::actor_system& sys,
                                                     const NodeContext& node,
                                                     const sim::ObservationSink& observe) {
  auto cp = std::find(control_plane_.begin(), control_plane_.end(), node.node_id);
  if (cp == control_plane_.end()) {
    auto at = std::size_t(std::find(nodes_.begin(), nodes_.end(), node.node_id) - nodes_.begin());
    auto index = at - control_plane_.size();
    if (at >= nodes_.size() || index >= workers_.size()) return {};
    sim::WorkerAgentSpec spec;
    const auto& record = workers_[index];
    spec.node_config = node_config_of(record);
    spec.facts = host_facts_of(record, sim::worker_internal_ip(index));
    spec.wall_clock_base_s = options_.wall_clock_base_s;
    for (std::size_t i = 0; i < control_plane_.size(); ++i)
      spec.api_nodes.push_back(control_plane_[(index + i) % control_plane_.size()]);
    return {sim::spawn_worker_agent(sys, node, observe, std::move(spec))};
  }
  auto actors = store_.spawn_node(sys, node, observe);
  for (auto& a : sim::spawn_control_services(sys, node, options_.wall_clock_base_s, policy_))
    actors.push_back(std::move(a));
  if (cp == control_plane_.begin()) {
    actors.push_back(sys.spawn(submitter, node, pods_, options_, refusals_, stop_));
    auto sink = observe;
    if (stop_)
      sink = [stop = stop_, observe](sim::ObservedEvent e) {
        if (const auto* view = std::get_if<sim::PodsView>(&e)) stop->on_view(*view);
        observe(std::move(e));
      };
    actors.push_back(sim::spawn_pods_auditor(sys, node, sink, options_.view_every_ms));
  }
  return actors;
}

sim::CheckResult ResearchScenario::check(const sim::RunHistory& history) const {
  return store_.check(history);
}

}  // namespace craton::research
