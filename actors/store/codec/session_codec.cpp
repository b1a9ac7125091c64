#include "actors/store/codec/session_codec.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>
#include <vector>

#include "actors/store/codec/store_codec.hpp"

namespace craton::store {

void write_client_session(schema::ClientSession::Builder b, const storage::ClientSession& s) {
  b.setClientId(s.client_id);
  b.setSequence(s.sequence);
  b.setFirstIncomplete(s.first_incomplete);
}

std::optional<storage::ClientSession> read_client_session(schema::WriteRequest::Reader r) {
  if (!r.hasSession()) return std::nullopt;
  auto s = r.getSession();
  return storage::ClientSession{s.getClientId(), s.getSequence(), s.getFirstIncomplete()};
}

std::optional<storage::ClientSession> read_request_session(schema::StoreRequest::Reader r) {
  if (!r.isWrite()) return std::nullopt;
  return read_client_session(r.getWrite());
}

void set_request_session(schema::StoreRequest::Builder b, const storage::ClientSession& session) {
  if (b.isWrite()) write_client_session(b.getWrite().initSession(), session);
}

std::string encode_session_write(const storage::WriteRequest& w,
                                 const std::optional<storage::ClientSession>& session) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::WriteRequest>();
  write_write_request(root, w);
  if (session) write_client_session(root.initSession(), *session);
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

Result<SessionWrite> decode_session_write(std::string_view bytes) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0)
    return Error{"malformed",
                 "log entry of " + std::to_string(bytes.size()) + " bytes is not a write"};
  // Cap'n Proto 0.9.2 reads aligned words only; std::string data is not guaranteed to be.
  std::vector<capnp::word> aligned(bytes.size() / sizeof(capnp::word));
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  try {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = aligned.size() * 2 + 64;
    options.nestingLimit = 32;
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(aligned.data(), aligned.size()), options);
    auto root = reader.getRoot<schema::WriteRequest>();
    auto request = read_write_request(root);
    if (!request) return request.error();
    return SessionWrite{std::move(*request), read_client_session(root)};
  } catch (const kj::Exception& e) {
    return Error{"malformed", e.getDescription().cStr()};
  }
}

}  // namespace craton::store
