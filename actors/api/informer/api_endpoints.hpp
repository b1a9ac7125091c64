// ApiEndpoints: which API actor the shell of an API client sends to, and when it gives up on
// it. Shared by the ApiComponent shell (api_component_actor.hpp: controller manager,
// scheduler) and the node agent's (actors/agent/service/agent_actor.hpp). Pure: no CAF.
//
// The API node is the first of api_nodes (empty: the shell's own node). The shell gives up on
// it when
//   - its link went down (a PeerStatus from the router, runtime/link.hpp: the process died or
//     the connection broke): at once, instead of after switch_ms of silence;
//   - no answer came for switch_ms while calls were pending (a server that hangs, or one whose
//     link never reports: the simulator's network has no links).
// Giving up moves to the next API node when there are several; either way the shell tells its
// component (ApiComponent::api_changed): calls in flight fail now, every informer lists and
// watches again. With a single API node the link coming back up tells it again, so that
// informers backing off after failed lists start at once.
// An API actor that restarted while its link stayed up is none of this: its clients' watch
// probes find out (actors/api/informer/envelope_session.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace craton::api {

class ApiEndpoints {
 public:
  /// `api_nodes` empty: `own_node`'s API actor, always.
  ApiEndpoints(std::vector<std::string> api_nodes, std::string own_node, std::int64_t switch_ms);

  /// The node whose API actor gets the calls now.
  const std::string& current() const;
  /// An answer or a watch event came from the API.
  void heard(std::int64_t now_ms) { heard_ms_ = now_ms; }
  /// The shell's timer. True: the API stopped answering (switch_ms of silence while calls are
  /// pending); current() moved on if it can, and the component must be told.
  bool silent(std::int64_t now_ms, bool calls_pending);
  /// A PeerStatus for `node`. True: the component must be told (the current API's link went
  /// down, or came back up after that with no other API to move to).
  bool peer(const std::string& node, bool up, std::int64_t now_ms);

 private:
  void move_on(std::int64_t now_ms);

  std::vector<std::string> nodes_;
  std::string own_node_;
  std::int64_t switch_ms_;
  std::size_t index_ = 0;
  /// The last answer (or move); none yet: silence counts from the first pending call seen, not
  /// from the clock's 0 (a production clock reads days since boot; the simulator's may be < 0).
  std::optional<std::int64_t> heard_ms_;
  bool down_ = false;  ///< the current API's link is down (single API node: waiting for it)
};

}  // namespace craton::api
