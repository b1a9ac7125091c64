#include "actors/store/member_links.hpp"

#include "actors/store/actor.hpp"
#include "runtime/peer_list.hpp"

namespace craton::store {

void MemberLinks::sync(caf::event_based_actor* self, ActorEnv& env, raft::NodeId self_id,
                       const std::map<raft::NodeId, std::string>& addresses) {
  for (auto it = links_.begin(); it != links_.end();) {
    auto want = addresses.find(it->first);
    bool keep = want != addresses.end() && want->second == it->second.address;
    auto id = it->first;
    ++it;
    if (!keep) close(self, id);
  }
  for (const auto& [id, address] : addresses) {
    if (id == self_id || links_.count(id)) continue;
    auto endpoint = parse_endpoint(address);
    if (!endpoint) {  // checked before it entered the log; a bad one is skipped, not fatal
      env.log(self, LogLevel::warn, "member " + std::to_string(id) + ": bad address " + address);
      continue;
    }
    if (!env.node().open_link) {
      env.log(self, LogLevel::warn, "member " + std::to_string(id) + ": this node opens no links");
      continue;
    }
    auto link = env.node().open_link(replica_node_id(id), endpoint->host, endpoint->port);
    self->link_to(link);
    links_[id] = Open{address, link};
    env.log(self, LogLevel::info,
            "member " + std::to_string(id) + " at " + address + ": link opened");
  }
}

void MemberLinks::close(caf::event_based_actor* self, raft::NodeId id) {
  auto it = links_.find(id);
  if (it == links_.end()) return;
  self->unlink_from(it->second.link);
  self->send_exit(it->second.link, caf::exit_reason::user_shutdown);
  links_.erase(it);
}

}  // namespace craton::store
