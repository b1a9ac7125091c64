// Sha256Digest: the one place the image store computes and checks "sha256:<64 hex>" digests
// (OpenSSL's SHA-256), incrementally so that a layer is hashed while it streams by.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::images {

/// True for "sha256:" followed by exactly 64 lowercase hex digits (the only algorithm we keep).
bool is_sha256_digest(std::string_view digest);

/// The 64 hex digits of a valid digest (precondition: is_sha256_digest).
std::string_view digest_hex(std::string_view digest);

/// Hashes bytes fed in any number of pieces; `finish` returns "sha256:<hex>" once.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void update(const void* data, std::size_t size);
  std::string finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// "sha256:<hex>" of a whole buffer.
std::string sha256_of(std::string_view bytes);

/// "sha256:<hex>" of a file's bytes; an error when it cannot be read.
Result<std::string> sha256_of_file(const std::string& path);

}  // namespace craton::images
