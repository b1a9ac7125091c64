// ApiEndpoints (see the header).
#include "actors/api/informer/api_endpoints.hpp"

#include <utility>

namespace craton::api {

ApiEndpoints::ApiEndpoints(std::vector<std::string> api_nodes, std::string own_node,
                           std::int64_t switch_ms)
    : nodes_(std::move(api_nodes)), own_node_(std::move(own_node)), switch_ms_(switch_ms) {}

const std::string& ApiEndpoints::current() const {
  return nodes_.empty() ? own_node_ : nodes_[index_];
}

void ApiEndpoints::move_on(std::int64_t now_ms) {
  if (nodes_.size() > 1) {
    index_ = (index_ + 1) % nodes_.size();
    down_ = false;  // not known of the next one
  }
  heard_ms_ = now_ms;  // the next one gets switch_ms of its own
}

bool ApiEndpoints::silent(std::int64_t now_ms, bool calls_pending) {
  // One API node: nowhere to move; its calls time out and informers retry on their own.
  if (nodes_.size() < 2 || !calls_pending) return false;
  if (!heard_ms_) heard_ms_ = now_ms;
  if (now_ms - *heard_ms_ < switch_ms_) return false;
  move_on(now_ms);
  return true;
}

bool ApiEndpoints::peer(const std::string& node, bool up, std::int64_t now_ms) {
  if (node != current()) return false;
  if (!up) {
    if (down_) return false;  // told already
    down_ = true;
    move_on(now_ms);
    return true;
  }
  if (!down_) return false;  // the first report of a link that was up all along
  down_ = false;
  heard_ms_ = now_ms;
  return true;
}

}  // namespace craton::api
