// Quantity: Kubernetes' resource.Quantity ("100m", "1.5Gi", "129e6", "2"), the way requests,
// limits, capacity and allocatable are written.
//
//   quantity ::= [+-] digits [. digits] suffix      (or [+-] . digits)
//   suffix   ::= Ki | Mi | Gi | Ti | Pi | Ei        binary SI (powers of 1024)
//              | n | u | m | "" | k | M | G | T | P | E   decimal SI (powers of 1000)
//              | e<int> | E<int>                   decimal exponent
//
// Semantics as apimachinery's: the value is exact to the nano unit and rounded up (away from
// zero) below it; value() rounds up to whole units and milli_value() to thousandths; the
// format is the suffix's kind and canonical() writes the value in it as Kubernetes does
// ("1000m" -> "1", "1.5Gi" -> "1536Mi", "0.5Gi" -> "512Mi", "1500" -> "1500", "1e3" -> "1e3";
// binary values below 1024, or with a fraction, are written in decimal SI). Bounded: at most
// 2^63-1 units in magnitude and 64 characters; anything else is an error naming the input.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::api {

enum class QuantityFormat { decimal_si, binary_si, decimal_exponent };

class Quantity {
 public:
  static Result<Quantity> parse(std::string_view text);
  static Quantity from_milli(std::int64_t milli);  ///< decimal SI

  /// Whole units, rounded up (Kubernetes' Value()).
  std::int64_t value() const;
  /// Thousandths, rounded up (Kubernetes' MilliValue()); saturates at INT64 bounds.
  std::int64_t milli_value() const;
  QuantityFormat format() const { return format_; }
  bool is_zero() const { return nano_ == 0; }
  /// Kubernetes' canonical string for the value in its format.
  std::string canonical() const;

  std::strong_ordering operator<=>(const Quantity& other) const { return nano_ <=> other.nano_; }
  bool operator==(const Quantity& other) const { return nano_ == other.nano_; }

 private:
  Quantity(__int128 nano, QuantityFormat format) : nano_(nano), format_(format) {}
  __int128 nano_ = 0;  ///< the value in units of 10^-9
  QuantityFormat format_ = QuantityFormat::decimal_si;
};

}  // namespace craton::api
