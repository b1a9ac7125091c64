// FlatMessage: one flat (unpacked, single-buffer) Cap'n Proto message held in bytes, opened
// for reading: a stored object, an object in an envelope, an encoded reply. Cap'n Proto 0.9.2
// refuses unaligned input, and a std::string's bytes need not be aligned, so the bytes are
// copied into words first (one copy; the message is then read in place).
//
//   auto m = FlatMessage::open(bytes);            // "malformed": empty or not whole words
//   if (!m) ...;
//   auto pod = m->root<schema::k8s::Pod>();      // may throw kj::Exception on a bad pointer
//
// Traversal is bounded by the message's own size (eight times its words, plus 1024: a reader
// may read parts of it several times), so a malformed message whose pointers overlap cannot
// make a reader walk far more than it holds.
#pragma once

#include <capnp/dynamic.h>
#include <capnp/serialize.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace craton {

class FlatMessage {
 public:
  static Result<FlatMessage> open(std::string_view bytes) {
    if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0)
      return Error{"malformed",
                   "not a Cap'n Proto message (" + std::to_string(bytes.size()) + " bytes)"};
    FlatMessage m;
    m.words_ = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
    std::memcpy(m.words_.begin(), bytes.data(), bytes.size());
    capnp::ReaderOptions options;
    options.traversalLimitInWords = m.words_.size() * 8 + 1024;
    m.reader_ = std::make_unique<capnp::FlatArrayMessageReader>(m.words_.asPtr(), options);
    return m;
  }

  template <class T>
  typename T::Reader root() {
    return reader_->getRoot<T>();
  }
  capnp::DynamicStruct::Reader root(capnp::StructSchema schema) {
    return reader_->getRoot<capnp::DynamicStruct>(schema);
  }

 private:
  FlatMessage() = default;
  kj::Array<capnp::word> words_;
  std::unique_ptr<capnp::FlatArrayMessageReader> reader_;
};

/// The flat encoding of a message, as bytes (what FlatMessage opens).
inline std::string flat_bytes(capnp::MessageBuilder& message) {
  auto words = capnp::messageToFlatArray(message);
  auto chars = words.asChars();
  return std::string(chars.begin(), chars.size());
}

}  // namespace craton
