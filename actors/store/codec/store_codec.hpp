// Conversions between the store's plain C++ vocabulary (raft::Message, storage::kv_types,
// store::StoreRequest/StoreReply) and its Cap'n Proto schema (schemas/store.capnp).
//
// Writers never fail. Readers check what the schema cannot: enum values in range and the
// presence of union members this build knows; anything else is an Error ("malformed"), never
// an exception. Sizes are bounded earlier, by the envelope codec's limits. Raft log entries
// hold encode_write_request() bytes: a flat single-segment Cap'n Proto message, decoded with
// the same aligned-copy and traversal limits as envelopes.
#pragma once

#include <string>
#include <string_view>

#include "actors/store/codec/store_protocol.hpp"
#include "actors/store/raft/raft_message.hpp"
#include "runtime/result.hpp"
#include "schemas/store.capnp.h"
#include "storage/kv_types.hpp"

namespace craton::store {

void write_raft_message(schema::RaftMessage::Builder b, const raft::Message& m);
Result<raft::Message> read_raft_message(schema::RaftMessage::Reader r);

void write_range_request(schema::RangeRequest::Builder b, const storage::RangeRequest& r);
Result<storage::RangeRequest> read_range_request(schema::RangeRequest::Reader r);
void write_range_response(schema::RangeResponse::Builder b, const storage::RangeResponse& r);
storage::RangeResponse read_range_response(schema::RangeResponse::Reader r);

void write_write_request(schema::WriteRequest::Builder b, const storage::WriteRequest& w);
Result<storage::WriteRequest> read_write_request(schema::WriteRequest::Reader r);
void write_write_response(schema::WriteResponse::Builder b, const storage::WriteResponse& w);
Result<storage::WriteResponse> read_write_response(schema::WriteResponse::Reader r);

void write_store_request(schema::StoreRequest::Builder b, const StoreRequest& request);
Result<StoreRequest> read_store_request(schema::StoreRequest::Reader r);
void write_store_reply(schema::StoreResponse::Builder b, const StoreReply& reply);
Result<StoreReply> read_store_reply(schema::StoreResponse::Reader r);

void write_lease_reply(schema::LeaseResponse::Builder b, const LeaseReply& lease);
LeaseReply read_lease_reply(schema::LeaseResponse::Reader r);

/// A write request as the bytes of one Raft log entry.
std::string encode_write_request(const storage::WriteRequest& w);
/// Decodes log entry bytes; "malformed" for anything that is not a valid WriteRequest.
Result<storage::WriteRequest> decode_write_request(std::string_view bytes);

}  // namespace craton::store
