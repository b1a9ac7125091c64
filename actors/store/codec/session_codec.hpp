// The client session (schemas/store.capnp ClientSession, storage/session_table.hpp) on the
// wire and in Raft log entries. A write request optionally carries one; writes without it are
// accepted and never de-duplicated. Kept apart from store_codec.hpp because StoreRequest's
// plain form has no room for it: the session travels beside the request.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "actors/store/codec/store_protocol.hpp"
#include "runtime/result.hpp"
#include "schemas/store.capnp.h"
#include "storage/session_table.hpp"

namespace craton::store {

/// A Raft log entry's content: the write and, when the client sent one, its session.
struct SessionWrite {
  storage::WriteRequest request;
  std::optional<storage::ClientSession> session;
};

void write_client_session(schema::ClientSession::Builder b, const storage::ClientSession& s);
/// The session of a write request; nullopt when it carries none.
std::optional<storage::ClientSession> read_client_session(schema::WriteRequest::Reader r);
/// The session of a store request: only writes carry one.
std::optional<storage::ClientSession> read_request_session(schema::StoreRequest::Reader r);
/// Sets `session` on a store request already written by write_store_request (writes only).
void set_request_session(schema::StoreRequest::Builder b, const storage::ClientSession& session);

/// A write (and its session) as the bytes of one Raft log entry.
std::string encode_session_write(const storage::WriteRequest& w,
                                 const std::optional<storage::ClientSession>& session);
/// Decodes log entry bytes; "malformed" for anything that is not a valid WriteRequest.
Result<SessionWrite> decode_session_write(std::string_view bytes);

}  // namespace craton::store
