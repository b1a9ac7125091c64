// format_number (report_number.hpp).
#include "sim/research/report_number.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace craton::research {

std::string format_number(double value, int decimals) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  decimals = std::clamp(decimals, 0, 9);
  char buffer[64];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  // Values past 1e50 do not fit fixed notation in the buffer: print them in scientific form.
  if (ec != std::errc())
    end =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific, 6).ptr;
  std::string text(buffer, end);
  if (text.find('.') != std::string::npos && text.find('e') == std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

}  // namespace craton::research
