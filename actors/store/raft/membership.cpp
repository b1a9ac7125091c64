#include "actors/store/raft/membership.hpp"

namespace craton::raft {

namespace {
constexpr std::size_t kEncodedSize = 9;
}

std::string ConfChange::encode() const {
  std::string out(kEncodedSize, '\0');
  out[0] = static_cast<char>(type);
  for (int i = 0; i < 8; ++i) out[1 + i] = static_cast<char>((node >> (8 * i)) & 0xff);
  return out + context;
}

Result<ConfChange> ConfChange::decode(std::string_view bytes) {
  if (bytes.size() < kEncodedSize || bytes.size() > kEncodedSize + kConfChangeContextMax) {
    return Error{"malformed", "conf change must be 9 to " +
                                  std::to_string(kEncodedSize + kConfChangeContextMax) +
                                  " bytes, got " + std::to_string(bytes.size())};
  }
  auto type = static_cast<std::uint8_t>(bytes[0]);
  if (type < 1 || type > 3) {
    return Error{"malformed", "unknown conf change type " + std::to_string(type)};
  }
  NodeId node = 0;
  for (int i = 0; i < 8; ++i) {
    node |= static_cast<NodeId>(static_cast<std::uint8_t>(bytes[1 + i])) << (8 * i);
  }
  if (node == 0) return Error{"malformed", "conf change names node 0"};
  return ConfChange{static_cast<ConfChangeType>(type), node,
                    std::string(bytes.substr(kEncodedSize))};
}

Result<Membership> Membership::apply(const ConfChange& cc) const {
  Membership next = *this;
  switch (cc.type) {
    case ConfChangeType::add_voter:
      next.learners.erase(cc.node);
      next.voters.insert(cc.node);
      break;
    case ConfChangeType::add_learner:
      if (is_voter(cc.node)) {
        return Error{"invalid", "node " + std::to_string(cc.node) + " is already a voter"};
      }
      next.learners.insert(cc.node);
      break;
    case ConfChangeType::remove_node:
      next.voters.erase(cc.node);
      next.learners.erase(cc.node);
      break;
  }
  if (next.voters.empty()) return Error{"invalid", "a configuration needs at least one voter"};
  return next;
}

Membership Membership::from(const SnapshotMeta& meta) {
  Membership m;
  m.voters.insert(meta.voters.begin(), meta.voters.end());
  m.learners.insert(meta.learners.begin(), meta.learners.end());
  for (NodeId v : m.voters) m.learners.erase(v);
  return m;
}

void Membership::fill(SnapshotMeta& meta) const {
  meta.voters.assign(voters.begin(), voters.end());
  meta.learners.assign(learners.begin(), learners.end());
}

}  // namespace craton::raft
