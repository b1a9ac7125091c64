// Conversions between the membership requests (actors/store/codec/member_change.hpp) and their
// Cap'n Proto form (schemas/store.capnp: MemberChange, MemberList). Used by store_codec.cpp.
//
// Writers never fail. Readers check what the schema cannot: the change kind is known, an id is
// given where one is needed, addresses and lists are bounded; anything else is "malformed".
#pragma once

#include "actors/store/codec/member_change.hpp"
#include "runtime/result.hpp"
#include "schemas/store.capnp.h"

namespace craton::store {

/// Longest member address accepted ("host:port"; hosts are at most 253 bytes).
inline constexpr std::size_t kMemberAddressMax = 260;
/// Most members a MemberList may carry.
inline constexpr std::size_t kMembersMax = 1024;

void write_member_change(schema::MemberChange::Builder b, const MemberChangeRequest& c);
Result<MemberChangeRequest> read_member_change(schema::MemberChange::Reader r);
void write_member_list(schema::MemberList::Builder b, const MemberList& list);
Result<MemberList> read_member_list(schema::MemberList::Reader r);

}  // namespace craton::store
