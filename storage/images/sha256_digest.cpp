// Sha256Digest: OpenSSL's EVP SHA-256 behind a small incremental hasher.
#include "storage/images/sha256_digest.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <fstream>

#include "runtime/assert.hpp"

namespace craton::images {

bool is_sha256_digest(std::string_view digest) {
  constexpr std::string_view prefix = "sha256:";
  if (digest.size() != prefix.size() + 64 || !digest.starts_with(prefix)) return false;
  for (char c : digest.substr(prefix.size()))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string_view digest_hex(std::string_view digest) {
  CRATON_ASSERT(is_sha256_digest(digest), "digest_hex of an invalid digest");
  return digest.substr(7);
}

struct Sha256Hasher::State {
  EVP_MD_CTX* ctx = nullptr;
  bool finished = false;
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  CRATON_ASSERT(state_->ctx != nullptr, "EVP_MD_CTX_new failed");
  CRATON_ASSERT(EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) == 1,
                "EVP_DigestInit_ex failed");
}

Sha256Hasher::~Sha256Hasher() {
  EVP_MD_CTX_free(state_->ctx);
}

void Sha256Hasher::update(const void* data, std::size_t size) {
  CRATON_ASSERT(!state_->finished, "update after finish");
  if (size > 0) CRATON_ASSERT(EVP_DigestUpdate(state_->ctx, data, size) == 1, "digest update");
}

std::string Sha256Hasher::finish() {
  CRATON_ASSERT(!state_->finished, "finish twice");
  state_->finished = true;
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  CRATON_ASSERT(EVP_DigestFinal_ex(state_->ctx, md.data(), &size) == 1 && size == 32,
                "digest final");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

std::string sha256_of(std::string_view bytes) {
  Sha256Hasher h;
  h.update(bytes.data(), bytes.size());
  return h.finish();
}

Result<std::string> sha256_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"io", "cannot read " + path};
  Sha256Hasher h;
  std::array<char, 1 << 16> buf{};
  while (in) {
    in.read(buf.data(), buf.size());
    h.update(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return Error{"io", "error reading " + path};
  return h.finish();
}

}  // namespace craton::images
