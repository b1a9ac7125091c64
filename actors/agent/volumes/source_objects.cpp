// ConfigMap / Secret readers into SourceObject, base64 through OpenSSL's decoder.
#include "actors/agent/volumes/source_objects.hpp"

#include <openssl/evp.h>

#include <vector>

namespace craton::agent::volumes {

Result<std::string> decode_base64(const std::string& text) {
  std::string clean;
  for (char c : text)
    if (c != '\n' && c != '\r') clean.push_back(c);
  if (clean.size() % 4 != 0) return Error{"bad_base64", "length is not a multiple of 4"};
  if (clean.empty()) return std::string();
  std::vector<unsigned char> out(clean.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()),
                          static_cast<int>(clean.size()));
  if (n < 0) return Error{"bad_base64", "not base64"};
  // EVP_DecodeBlock counts the padding as zero bytes: drop one per '='.
  std::size_t pad = 0;
  if (clean.back() == '=') ++pad;
  if (clean.size() >= 2 && clean[clean.size() - 2] == '=') ++pad;
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n) - pad);
}

namespace {

Status decode_into(schema::k8s::StringMap::Reader map, std::map<std::string, std::string>& into,
                   const std::string& where) {
  for (auto e : map.getEntries()) {
    auto value = decode_base64(e.getValue().cStr());
    if (!value)
      return Error{"bad_base64", where + "[" + e.getKey().cStr() + "]: " + value.error().message};
    into[e.getKey().cStr()] = std::move(*value);
  }
  return Ok{};
}

}  // namespace

Result<SourceObject> config_map_object(schema::k8s::ConfigMap::Reader config_map) {
  SourceObject out;
  for (auto e : config_map.getData().getEntries())
    out.data[e.getKey().cStr()] = e.getValue().cStr();
  if (auto s = decode_into(config_map.getBinaryData(), out.binary_data, "binaryData"); !s)
    return s.error();
  return out;
}

Result<SourceObject> secret_object(schema::k8s::Secret::Reader secret) {
  SourceObject out;
  if (auto s = decode_into(secret.getData(), out.data, "data"); !s) return s.error();
  for (auto e : secret.getStringData().getEntries())
    out.data[e.getKey().cStr()] = e.getValue().cStr();
  return out;
}

}  // namespace craton::agent::volumes
