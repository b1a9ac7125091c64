// StoreErrorCode's names, classes and conversions (the table is store_error.hpp).
#include "actors/store/codec/store_error.hpp"

#include <array>
#include <ostream>

namespace craton::store {
namespace {

struct CodeInfo {
  std::string_view name;
  ErrorClass error_class;
};

constexpr std::array<CodeInfo, kStoreErrorCodes> kCodes{{
#define CRATON_STORE_ERROR_INFO(name, cls) {#name, ErrorClass::cls},
    CRATON_STORE_ERROR_CODES(CRATON_STORE_ERROR_INFO)
#undef CRATON_STORE_ERROR_INFO
}};

}  // namespace

std::string_view name(StoreErrorCode code) {
  auto i = static_cast<std::size_t>(code);
  return i < kCodes.size() ? kCodes[i].name : kCodes[1].name;  // "unknown"
}

std::ostream& operator<<(std::ostream& out, StoreErrorCode code) {
  return out << name(code);
}

StoreErrorCode parse_store_error_code(std::string_view text) {
  for (std::size_t i = 0; i < kCodes.size(); ++i)
    if (kCodes[i].name == text) return static_cast<StoreErrorCode>(i);
  return StoreErrorCode::unknown;
}

ErrorClass classify(StoreErrorCode code) {
  auto i = static_cast<std::size_t>(code);
  return i < kCodes.size() ? kCodes[i].error_class : ErrorClass::unknown_outcome;
}

StoreError to_store_error(const Error& error) {
  auto code = parse_store_error_code(error.code);
  if (code == StoreErrorCode::unknown || code == StoreErrorCode::unspecified)
    return StoreError{StoreErrorCode::storage, error.code + ": " + error.message};
  return StoreError{code, error.message};
}

Error to_error(const StoreError& error) {
  return Error{std::string(name(error.code)), error.message};
}

}  // namespace craton::store
