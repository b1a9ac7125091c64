#include "runtime/envelope_codec.hpp"

#include <capnp/schema.h>
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <kj/io.h>

#include <cstring>

#include "runtime/assert.hpp"
#include "runtime/schema_walk.hpp"

namespace craton {

// How many body members this build knows, read from the compiled schema so that extending
// the union needs no edit here. Newer members are dropped as "unknown_body".
static unsigned known_body_members() {
  static const unsigned n = capnp::Schema::from<schema::Envelope::Body>().getUnionFields().size();
  return n;
}

EnvelopeBuilder::EnvelopeBuilder(const Address& from, const Address& to,
                                 std::uint64_t correlation_id)
    : root_(message_.initRoot<schema::Envelope>()) {
  write_address(root_.initFrom(), from);
  write_address(root_.initTo(), to);
  root_.setCorrelationId(correlation_id);
}

// The segment table and the segments written straight into the vector: messageToFlatArray
// would build the same bytes in an array of its own, copied once more into the vector (2% of
// a 2,000-node simulation was that copy).
std::vector<std::uint8_t> EnvelopeBuilder::encode() {
  std::vector<std::uint8_t> out(encoded_bytes());
  kj::ArrayOutputStream stream(kj::arrayPtr(out.data(), out.size()));
  capnp::writeMessage(stream, message_);
  CRATON_ASSERT(stream.getArray().size() == out.size(),
                "the envelope's size changed while written");
  return out;
}

std::size_t EnvelopeBuilder::encoded_bytes() {
  return capnp::computeSerializedSizeInWords(message_) * sizeof(capnp::word);
}

Address DecodedEnvelope::from() const {
  return Address{root_.getFrom().getNode(), root_.getFrom().getActor()};
}

Address DecodedEnvelope::to() const {
  return Address{root_.getTo().getNode(), root_.getTo().getActor()};
}

Result<Address> read_address(schema::Address::Reader a) {
  Address out{a.getNode(), a.getActor()};
  if (auto s = validate_node_id(out.node); !s) return s.error();
  if (auto s = validate_name(out.actor); !s) return s.error();
  return out;
}

void write_address(schema::Address::Builder b, const Address& a) {
  b.setNode(a.node);
  b.setActor(a.actor);
}

Result<DecodedEnvelope> decode_envelope(std::span<const std::uint8_t> bytes,
                                        const CodecLimits& limits, Validation validation) {
  if (bytes.size() > limits.message_bytes_max)
    return Error{"too_large", "envelope of " + std::to_string(bytes.size()) +
                                  " bytes exceeds the limit of " +
                                  std::to_string(limits.message_bytes_max)};
  if (bytes.size() < sizeof(capnp::word) || bytes.size() % sizeof(capnp::word) != 0)
    return Error{"truncated", "envelope of " + std::to_string(bytes.size()) +
                                  " bytes is not a whole number of words"};

  DecodedEnvelope out;
  out.storage_ = std::make_unique<DecodedEnvelope::Storage>();
  const capnp::word* words = reinterpret_cast<const capnp::word*>(bytes.data());
  std::size_t word_count = bytes.size() / sizeof(capnp::word);
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
    out.storage_->aligned_copy.resize(word_count);
    std::memcpy(out.storage_->aligned_copy.data(), bytes.data(), bytes.size());
    words = out.storage_->aligned_copy.data();
  }

  capnp::ReaderOptions options;
  options.traversalLimitInWords = limits.traversal_words_max;
  options.nestingLimit = limits.nesting_max;
  try {
    kj::ArrayPtr<const capnp::word> view(words, word_count);
    // Reject trailing garbage and multi-segment tricks: the declared segments must cover the
    // input exactly.
    if (capnp::expectedSizeInWordsFromPrefix(view) != word_count)
      return Error{"truncated", "envelope length does not match its segment table"};
    out.storage_->reader = std::make_unique<capnp::FlatArrayMessageReader>(view, options);
    auto root = out.storage_->reader->getRoot<schema::Envelope>();
    root.totalSize();  // walks every pointer: a bad pointer throws here, not in a handler
    if (static_cast<unsigned>(root.getBody().which()) >= known_body_members())
      return Error{"unknown_body",
                   "envelope body member " +
                       std::to_string(static_cast<unsigned>(root.getBody().which())) +
                       " is newer than this build"};
    if (validation == Validation::full)
      walk_by_schema(capnp::Schema::from<schema::Envelope>(), capnp::AnyStruct::Reader(root));
    if (auto a = read_address(root.getFrom()); !a) return a.error();
    if (auto a = read_address(root.getTo()); !a) return a.error();
    out.root_ = root;
  } catch (const kj::Exception& e) {
    return Error{"malformed", std::string("envelope rejected: ") + e.getDescription().cStr()};
  }
  return out;
}

}  // namespace craton
