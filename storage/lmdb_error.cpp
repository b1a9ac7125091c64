#include "storage/lmdb_error.hpp"

#include <lmdb.h>

#include <string>

namespace craton::storage {

namespace {

std::string_view code_for(int rc) {
  switch (rc) {
    case MDB_MAP_FULL:
    case MDB_TXN_FULL:
    case MDB_READERS_FULL:
      return "no_space";
    case MDB_NOTFOUND:
      return "not_found";
    case MDB_BAD_VALSIZE:
      return "too_large";
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
      return "corrupt";
    default:
      return "storage";
  }
}

}  // namespace

Error lmdb_error(int rc, std::string_view what) {
  std::string message = "lmdb: " + std::string(what) + ": " + mdb_strerror(rc);
  if (rc == MDB_MAP_FULL) message += " (database map size reached; compact or raise map size)";
  return Error{std::string(code_for(rc)), std::move(message)};
}

Error corrupt_error(std::string_view what) {
  return Error{"corrupt", "storage: stored " + std::string(what) + " does not decode"};
}

}  // namespace craton::storage
