// StoreErrorCode: every error a store replica answers, as one enum with one wire form
// (schemas/store.capnp, StoreErrorCode) and one classification that every caller derives its
// decisions from.
//
// Promises:
// - name() and parse() are inverse on every code: the names are the stable strings the store has
//   always printed ("not_leader", "compacted", ...), so command-line output and JSON keep them.
// - classify() assigns each code exactly one class: codes and classes are one table
//   (CRATON_STORE_ERROR_CODES), so a code cannot be added without its class. From it:
//     proves_not_applied()  a write answered with this code was certainly not applied (the
//                           simulator's histories record it as "fail", else "info");
//     worth_retrying()      not applied, and another replica or a later try may take it: the
//                           client sends the write again (only writes it may safely repeat);
//     read_worth_retrying() a read may be sent again (reads change nothing, so a timeout too).
// - A code this build does not know (from a newer peer) reads as `unknown`, whose outcome is
//   unknown; a reply from a peer that only sent the text reads through parse().
// No CAF.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::store {

// X(name, class): the order is the wire order; append only (never renumber, as the schema).
#define CRATON_STORE_ERROR_CODES(X)    \
  X(unspecified, unknown_outcome)      \
  X(unknown, unknown_outcome)          \
  X(not_leader, retry_elsewhere)       \
  X(no_leader, retry_elsewhere)        \
  X(busy, retry_later)                 \
  X(timeout, unknown_outcome)          \
  X(proposal_dropped, retry_elsewhere) \
  X(unknown_request, rejected)         \
  X(failed, retry_elsewhere)           \
  X(removed, retry_elsewhere)          \
  X(malformed, rejected)               \
  X(invalid, rejected)                 \
  X(too_large, rejected)               \
  X(no_space, rejected)                \
  X(compacted, rejected)               \
  X(future_revision, rejected)         \
  X(duplicate_key, rejected)           \
  X(too_many_ops, rejected)            \
  X(lease_not_found, rejected)         \
  X(lease_exists, rejected)            \
  X(lease_expired, rejected)           \
  X(too_many_leases, rejected)         \
  X(ttl_too_large, rejected)           \
  X(duplicate, already_applied)        \
  X(stale_sequence, unknown_outcome)   \
  X(member_exists, rejected)           \
  X(member_unknown, rejected)          \
  X(address_in_use, rejected)          \
  X(bad_address, rejected)             \
  X(last_voter, rejected)              \
  X(not_learner, rejected)             \
  X(not_voter, rejected)               \
  X(learner_not_ready, rejected)       \
  X(change_in_progress, rejected)      \
  X(transferring, retry_later)         \
  X(transfer_failed, unknown_outcome)  \
  X(watch_not_found, rejected)         \
  X(watch_exists, rejected)            \
  X(too_many_streams, rejected)        \
  X(too_many_watchers, rejected)       \
  X(stream_backlog, rejected)          \
  X(corrupt, unknown_outcome)          \
  X(storage, unknown_outcome)          \
  X(apply_failed, unknown_outcome)

enum class StoreErrorCode : std::uint16_t {
#define CRATON_STORE_ERROR_ENUM(name, cls) name,
  CRATON_STORE_ERROR_CODES(CRATON_STORE_ERROR_ENUM)
#undef CRATON_STORE_ERROR_ENUM
};

/// What an error says about the request's outcome (see the promises above).
enum class ErrorClass {
  retry_elsewhere,  ///< not applied; another replica (the leader) may take it
  retry_later,      ///< not applied; this replica may take it after a back-off
  rejected,         ///< not applied; the request itself is refused: sending it again fails too
  already_applied,  ///< a copy was applied already (client sessions); its first answer counts
  unknown_outcome,  ///< it may or may not have been applied
};

/// The number of codes (the wire enum's range).
inline constexpr std::size_t kStoreErrorCodes = 0
#define CRATON_STORE_ERROR_COUNT(name, cls) +1
    CRATON_STORE_ERROR_CODES(CRATON_STORE_ERROR_COUNT)
#undef CRATON_STORE_ERROR_COUNT
    ;

std::string_view name(StoreErrorCode code);
/// Prints name(code) (tests, logs).
std::ostream& operator<<(std::ostream& out, StoreErrorCode code);
/// The code named `text`; `unknown` for a name this build does not know.
StoreErrorCode parse_store_error_code(std::string_view text);
ErrorClass classify(StoreErrorCode code);

inline bool proves_not_applied(StoreErrorCode code) {
  auto c = classify(code);
  return c == ErrorClass::retry_elsewhere || c == ErrorClass::retry_later ||
         c == ErrorClass::rejected;
}
inline bool worth_retrying(StoreErrorCode code) {
  auto c = classify(code);
  return c == ErrorClass::retry_elsewhere || c == ErrorClass::retry_later;
}
inline bool read_worth_retrying(StoreErrorCode code) {
  return worth_retrying(code) || code == StoreErrorCode::timeout;
}

/// An error a replica answered: a code and one line for a human.
struct StoreError {
  StoreErrorCode code = StoreErrorCode::unspecified;
  std::string message;
  bool operator==(const StoreError&) const = default;
};

/// A lower layer's error (storage/, raft/: string codes) as a store error. A code the store
/// does not know becomes `storage`, keeping the original code in the message.
StoreError to_store_error(const Error& error);
/// For callers whose API returns craton::Error (the blocking client): the code's name.
Error to_error(const StoreError& error);

}  // namespace craton::store
