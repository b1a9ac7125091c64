#include "actors/api/meta/time.hpp"

namespace craton::api {
namespace {

std::string str(std::int64_t n) {
  return std::to_string(n);
}

}  // namespace

std::string human_duration(std::int64_t seconds) {
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return str(seconds) + "s";
  auto minutes = seconds / 60;
  if (minutes < 10) return str(minutes) + "m" + (seconds % 60 ? str(seconds % 60) + "s" : "");
  if (minutes < 180) return str(minutes) + "m";
  auto hours = minutes / 60;
  if (hours < 8) return str(hours) + "h" + (minutes % 60 ? str(minutes % 60) + "m" : "");
  if (hours < 48) return str(hours) + "h";
  if (hours < 24 * 8) return str(hours / 24) + "d" + (hours % 24 ? str(hours % 24) + "h" : "");
  if (hours < 24 * 365 * 2) return str(hours / 24) + "d";
  auto days = hours / 24;
  if (hours < 24 * 365 * 8)
    return str(days / 365) + "y" + (days % 365 ? str(days % 365) + "d" : "");
  return str(days / 365) + "y";
}

}  // namespace craton::api
