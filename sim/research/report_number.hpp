// format_number: the one way the research report prints a number, in CSV, SVG and HTML alike.
// Promises: the same double gives the same text on every run and host (no locale, no stream
// state): std::to_chars with a fixed number of decimals, trailing zeros and a lone "-0" removed,
// so 0.5 prints "0.5", 2.0 prints "2" and -0.0001 at three decimals prints "0". Non-finite values
// print "nan", "inf" or "-inf". Pure.
#pragma once

#include <string>

namespace craton::research {

/// `value` with at most `decimals` (0..9) digits after the point; see the header comment.
std::string format_number(double value, int decimals = 6);

}  // namespace craton::research
