#include "actors/store/codec/member_codec.hpp"

namespace craton::store {
namespace {

Error malformed(const std::string& what) {
  return Error{"malformed", "member message: " + what};
}

}  // namespace

void write_member_change(schema::MemberChange::Builder b, const MemberChangeRequest& c) {
  b.setKind(static_cast<std::uint8_t>(c.kind));
  b.setId(c.id);
  b.setAddress(c.address);
}

Result<MemberChangeRequest> read_member_change(schema::MemberChange::Reader r) {
  if (r.getKind() > kMemberChangeKindMax) return malformed("kind " + std::to_string(r.getKind()));
  MemberChangeRequest c;
  c.kind = static_cast<MemberChangeKind>(r.getKind());
  c.id = r.getId();
  if (c.kind != MemberChangeKind::list && c.id == 0) return malformed("member id 0");
  if (r.getAddress().size() > kMemberAddressMax) return malformed("address too long");
  c.address = r.getAddress().cStr();
  return c;
}

void write_member_list(schema::MemberList::Builder b, const MemberList& list) {
  b.setLeader(list.leader);
  auto members = b.initMembers(unsigned(list.members.size()));
  for (unsigned i = 0; i < list.members.size(); ++i) {
    members[i].setId(list.members[i].id);
    members[i].setAddress(list.members[i].address);
    members[i].setLearner(list.members[i].learner);
  }
}

Result<MemberList> read_member_list(schema::MemberList::Reader r) {
  if (r.getMembers().size() > kMembersMax) return malformed("too many members");
  MemberList list;
  list.leader = r.getLeader();
  for (auto m : r.getMembers()) {
    if (m.getId() == 0 || m.getAddress().size() > kMemberAddressMax)
      return malformed("member without id or with an overlong address");
    list.members.push_back(MemberInfo{m.getId(), m.getAddress().cStr(), m.getLearner()});
  }
  return list;
}

}  // namespace craton::store
