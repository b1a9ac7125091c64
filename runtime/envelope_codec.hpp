// Envelope codec: the one place where envelope bytes are made and checked.
//
// Encoding produces Cap'n Proto's flat (unpacked) single-segment format. Decoding is
// defensive: it bounds the size, copies misaligned input into an aligned word buffer (Cap'n
// Proto 0.9.2 refuses unaligned input), sets traversal and nesting limits, and walks the whole
// message once so that a malformed pointer is found here and not deep inside a handler.
// A rejected input yields an Error and leaves nothing behind.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "runtime/address.hpp"
#include "runtime/result.hpp"
#include "schemas/envelope.capnp.h"

namespace craton {

struct CodecLimits {
  std::size_t message_bytes_max = 4 << 20;  ///< whole encoded envelope
  std::uint64_t traversal_words_max = (4 << 20) / 8 * 2;
  int nesting_max = 32;
};

/// Builds one envelope. Fill body() through the generated builder, then encode().
class EnvelopeBuilder {
 public:
  EnvelopeBuilder(const Address& from, const Address& to, std::uint64_t correlation_id = 0);

  schema::Envelope::Body::Builder body() { return root_.initBody(); }
  schema::Envelope::Builder root() { return root_; }

  /// Flat encoding of the message as it stands now.
  std::vector<std::uint8_t> encode();
  /// Bytes encode() would produce now (compare with CodecLimits before sending).
  std::size_t encoded_bytes();

 private:
  capnp::MallocMessageBuilder message_;
  schema::Envelope::Builder root_;
};

/// How much of an envelope to check. Bytes from another process are untrusted and get the
/// full check once, at the router they enter through; within the process, envelopes were
/// either encoded here or already checked, so handlers only open them.
enum class Validation {
  full,    ///< bounds, segment table, every pointer, every field's kind, addresses, body
  opened,  ///< bounds, segment table, every pointer, addresses, body (no per-field walk)
};

/// A validated envelope. Reads through root(). If the input was 8-byte aligned this views it
/// directly: the input bytes must then remain live and unchanged while this is in use.
class DecodedEnvelope {
 public:
  schema::Envelope::Reader root() const { return root_; }
  Address from() const;
  Address to() const;

 private:
  friend Result<DecodedEnvelope> decode_envelope(std::span<const std::uint8_t>, const CodecLimits&,
                                                 Validation);
  DecodedEnvelope() = default;

  // Heap-held so that moving a DecodedEnvelope keeps the reader's pointers valid.
  struct Storage {
    std::vector<capnp::word> aligned_copy;  // empty when the input was already aligned
    std::unique_ptr<capnp::FlatArrayMessageReader> reader;
  };
  std::unique_ptr<Storage> storage_;
  schema::Envelope::Reader root_;
};

/// Validates and opens an envelope. Errors: "too_large", "truncated", "malformed",
/// "bad_address", "unknown_body" (a union member newer than this build).
Result<DecodedEnvelope> decode_envelope(std::span<const std::uint8_t> bytes,
                                        const CodecLimits& limits = {},
                                        Validation validation = Validation::full);

/// Opens an envelope that this process encoded or its router already validated in full
/// (what every actor handler receives): decode_envelope with Validation::opened.
inline Result<DecodedEnvelope> open_envelope(std::span<const std::uint8_t> bytes) {
  return decode_envelope(bytes, CodecLimits{}, Validation::opened);
}

/// Reads an address out of the schema, validating both parts.
Result<Address> read_address(schema::Address::Reader a);
void write_address(schema::Address::Builder b, const Address& a);

}  // namespace craton
