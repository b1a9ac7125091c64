#include "actors/store/members/member_directory.hpp"

namespace craton::store {

MemberDirectory::MemberDirectory(raft::NodeId self, std::map<raft::NodeId, std::string> known)
    : self_(self), known_(std::move(known)) {}

void MemberDirectory::apply(std::uint64_t index, const raft::ConfChange& cc) {
  if (index <= applied_index_) return;
  applied_index_ = index;
  auto next = membership_.apply(cc);
  if (!next) return;  // Raft skips it too (raft_membership.cpp)
  bool was_member = membership_.contains(self_);
  membership_ = std::move(*next);
  if (!cc.context.empty()) replicated_[cc.node] = cc.context;
  if (cc.type == raft::ConfChangeType::remove_node) replicated_.erase(cc.node);
  if (was_member && !membership_.contains(self_)) removed_ = true;
  if (membership_.contains(self_)) removed_ = false;
}

void MemberDirectory::restore(const raft::SnapshotMeta& snapshot) {
  if (snapshot.index <= applied_index_) return;
  applied_index_ = snapshot.index;
  membership_ = raft::Membership{};
  membership_.voters.insert(snapshot.voters.begin(), snapshot.voters.end());
  membership_.learners.insert(snapshot.learners.begin(), snapshot.learners.end());
  replicated_ = snapshot.addresses;
  removed_ = !membership_.contains(self_) && !membership_.voters.empty();
}

std::string MemberDirectory::address_of(raft::NodeId id) const {
  if (auto it = replicated_.find(id); it != replicated_.end()) return it->second;
  if (auto it = known_.find(id); it != known_.end()) return it->second;
  return {};
}

std::map<raft::NodeId, std::string> MemberDirectory::addresses() const {
  // A replica that joins has applied nothing yet: the flags are all it knows.
  if (applied_index_ == 0) return known_;
  std::map<raft::NodeId, std::string> out;
  for (const auto* set : {&membership_.voters, &membership_.learners})
    for (auto id : *set)
      if (auto a = address_of(id); !a.empty()) out[id] = std::move(a);
  return out;
}

MemberList MemberDirectory::list(raft::NodeId leader) const {
  MemberList out;
  out.leader = leader;
  for (auto id : membership_.voters) out.members.push_back({id, address_of(id), false});
  for (auto id : membership_.learners) out.members.push_back({id, address_of(id), true});
  std::sort(out.members.begin(), out.members.end(),
            [](const MemberInfo& a, const MemberInfo& b) { return a.id < b.id; });
  return out;
}

raft::NodeId MemberDirectory::member_at(const std::string& address) const {
  for (const auto& [id, a] : addresses())
    if (a == address) return id;
  return 0;
}

}  // namespace craton::store
