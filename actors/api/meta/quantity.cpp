// Quantity: exact arithmetic in nano units on a 128-bit integer.
#include "actors/api/meta/quantity.hpp"

#include <array>
#include <limits>

namespace craton::api {
namespace {

using Int = __int128;

constexpr std::size_t kTextMax = 64;
constexpr std::size_t kDigitsMax = 37;  // significant digits: 10^37 still fits an __int128
constexpr Int kNanoPerUnit = 1'000'000'000;
constexpr Int kUnitsMax = std::numeric_limits<std::int64_t>::max();
constexpr Int kNanoMax = kUnitsMax * kNanoPerUnit;
constexpr Int kInt128Max = std::numeric_limits<Int>::max();

Int pow10(int e) {
  Int x = 1;
  while (e-- > 0) x *= 10;
  return x;
}

struct Suffix {
  std::string_view text;
  int exponent10;  ///< decimal: 10^exponent10
  int binary;      ///< binary: 1024^binary
  QuantityFormat format;
};

constexpr std::array<Suffix, 16> kSuffixes{{
    {"Ki", 0, 1, QuantityFormat::binary_si},
    {"Mi", 0, 2, QuantityFormat::binary_si},
    {"Gi", 0, 3, QuantityFormat::binary_si},
    {"Ti", 0, 4, QuantityFormat::binary_si},
    {"Pi", 0, 5, QuantityFormat::binary_si},
    {"Ei", 0, 6, QuantityFormat::binary_si},
    {"n", -9, 0, QuantityFormat::decimal_si},
    {"u", -6, 0, QuantityFormat::decimal_si},
    {"m", -3, 0, QuantityFormat::decimal_si},
    {"k", 3, 0, QuantityFormat::decimal_si},
    {"M", 6, 0, QuantityFormat::decimal_si},
    {"G", 9, 0, QuantityFormat::decimal_si},
    {"T", 12, 0, QuantityFormat::decimal_si},
    {"P", 15, 0, QuantityFormat::decimal_si},
    {"E", 18, 0, QuantityFormat::decimal_si},
    {"", 0, 0, QuantityFormat::decimal_si},
}};

constexpr std::array<std::string_view, 10> kDecimalSuffix{"n", "u", "m", "",  "k",
                                                          "M", "G", "T", "P", "E"};
constexpr std::array<std::string_view, 7> kBinarySuffix{"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

std::string to_string(Int x) {
  if (x == 0) return "0";
  bool negative = x < 0;
  if (negative) x = -x;
  std::string out;
  while (x > 0) {
    out.insert(out.begin(), char('0' + int(x % 10)));
    x /= 10;
  }
  return negative ? "-" + out : out;
}

Error bad(std::string_view text, const std::string& why) {
  return Error{"invalid", "quantity '" + std::string(text) + "': " + why};
}

// Rounds magnitude / divisor up.
Int div_up(Int magnitude, Int divisor) {
  return magnitude / divisor + (magnitude % divisor != 0 ? 1 : 0);
}

}  // namespace

Result<Quantity> Quantity::parse(std::string_view text) {
  const auto syntax = [&] {
    return bad(text,
               "quantities must match the regular expression "
               "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  };
  if (text.empty()) return bad(text, "empty");
  if (text.size() > kTextMax) return bad(text, "longer than 64 characters");
  std::size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') negative = text[i++] == '-';
  Int digits = 0;
  int fraction_digits = 0, significant = 0, seen_digits = 0;
  bool dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (dot) return syntax();
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    ++seen_digits;
    if (significant == 0 && c == '0' && !dot) continue;  // leading zeros
    if (significant >= int(kDigitsMax)) {
      if (!dot) return bad(text, "too large");
      if (c != '0') return bad(text, "more than 37 significant digits");
      continue;  // trailing zeros of the fraction change nothing
    }
    if (significant > 0 || c != '0') ++significant;
    digits = digits * 10 + (c - '0');
    if (dot) ++fraction_digits;
  }
  if (seen_digits == 0) return syntax();
  auto rest = text.substr(i);
  const Suffix* suffix = nullptr;
  int exponent = 0;
  QuantityFormat format = QuantityFormat::decimal_si;
  if (!rest.empty() && (rest[0] == 'e' || rest[0] == 'E') && rest.size() > 1 &&
      (rest[1] == '-' || rest[1] == '+' || (rest[1] >= '0' && rest[1] <= '9'))) {
    std::size_t j = 1;
    bool minus = false;
    if (rest[j] == '-' || rest[j] == '+') minus = rest[j++] == '-';
    if (j == rest.size()) return syntax();
    for (; j < rest.size(); ++j) {
      if (rest[j] < '0' || rest[j] > '9') return syntax();
      exponent = exponent * 10 + (rest[j] - '0');
      if (exponent > 100) return bad(text, "exponent out of range");
    }
    if (minus) exponent = -exponent;
    format = QuantityFormat::decimal_exponent;
  } else {
    for (const auto& s : kSuffixes)
      if (s.text == rest) suffix = &s;
    if (!suffix) return syntax();
    exponent = suffix->exponent10;
    format = suffix->format;
  }
  // value in nano = digits * 10^(9 + exponent - fraction_digits) * 1024^binary
  Int x = digits;
  int binary = suffix ? suffix->binary : 0;
  for (int b = 0; b < binary; ++b) {
    if (x > kInt128Max / 1024) return bad(text, "too large");
    x *= 1024;
  }
  int e10 = 9 + exponent - fraction_digits;
  if (e10 >= 0) {
    for (int k = 0; k < e10; ++k) {
      if (x > kNanoMax) return bad(text, "too large");
      x *= 10;
    }
  } else {
    // Below a nano unit: rounded up, as Kubernetes does.
    x = -e10 > 37 ? (x > 0 ? 1 : 0) : div_up(x, pow10(-e10));
  }
  if (x > kNanoMax) return bad(text, "too large: at most 2^63-1 units");
  return Quantity(negative ? -x : x, format);
}

Quantity Quantity::from_milli(std::int64_t milli) {
  return Quantity(Int(milli) * 1'000'000, QuantityFormat::decimal_si);
}

std::int64_t Quantity::value() const {
  Int magnitude = nano_ < 0 ? -nano_ : nano_;
  Int units = div_up(magnitude, kNanoPerUnit);
  return std::int64_t(nano_ < 0 ? -units : units);
}

std::int64_t Quantity::milli_value() const {
  Int magnitude = nano_ < 0 ? -nano_ : nano_;
  Int milli = div_up(magnitude, 1'000'000);
  if (milli > kUnitsMax) milli = kUnitsMax;
  return std::int64_t(nano_ < 0 ? -milli : milli);
}

std::string Quantity::canonical() const {
  if (nano_ == 0) return "0";
  Int magnitude = nano_ < 0 ? -nano_ : nano_;
  std::string sign = nano_ < 0 ? "-" : "";
  bool whole = magnitude % kNanoPerUnit == 0;
  if (format_ == QuantityFormat::binary_si && whole && magnitude / kNanoPerUnit >= 1024) {
    Int units = magnitude / kNanoPerUnit;
    std::size_t k = 0;
    while (k + 1 < kBinarySuffix.size() && units % 1024 == 0) {
      units /= 1024;
      ++k;
    }
    return sign + to_string(units) + std::string(kBinarySuffix[k]);
  }
  // Decimal: the largest power of 1000 (from 10^-9 to 10^18) leaving a whole mantissa.
  int k = 0;  // index into kDecimalSuffix, 0 = nano
  Int mantissa = magnitude;
  while (k + 1 < int(kDecimalSuffix.size()) && mantissa % 1000 == 0) {
    mantissa /= 1000;
    ++k;
  }
  if (format_ == QuantityFormat::decimal_exponent) {
    int e = 3 * (k - 3);
    return sign + to_string(mantissa) + (e == 0 ? "" : "e" + std::to_string(e));
  }
  return sign + to_string(mantissa) + std::string(kDecimalSuffix[std::size_t(k)]);
}

}  // namespace craton::api
