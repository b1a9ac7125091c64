// StoreErrorCode: names, classes, and the wire form (enum plus the text for older readers).
#define BOOST_TEST_MODULE store_error
#include <boost/test/unit_test.hpp>

#include <capnp/message.h>
#include <capnp/schema.h>

#include "actors/store/codec/store_codec.hpp"
#include "actors/store/codec/store_error.hpp"

using namespace craton::store;
namespace schema = craton::schema;

namespace {

StoreReply round_trip(const StoreReply& reply) {
  capnp::MallocMessageBuilder m;
  write_store_reply(m.initRoot<schema::StoreResponse>(), reply);
  auto back = read_store_reply(m.getRoot<schema::StoreResponse>().asReader());
  BOOST_REQUIRE(back.ok());
  return back.value();
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_code_round_trips_by_name_and_on_the_wire) {
  for (std::size_t i = 2; i < kStoreErrorCodes; ++i) {  // past unspecified and unknown
    auto code = static_cast<StoreErrorCode>(i);
    BOOST_TEST(parse_store_error_code(name(code)) == code);
    StoreReply reply;
    reply.error = StoreError{code, "why"};
    auto back = round_trip(reply);
    BOOST_REQUIRE(back.error.has_value());
    BOOST_TEST(back.error->code == code);
    BOOST_TEST(back.error->message == "why");
  }
}

// The wire enum is the C++ enum, enumerant for enumerant (names in camelCase).
BOOST_AUTO_TEST_CASE(the_schema_enum_matches_the_cpp_enum) {
  auto enumerants = capnp::Schema::from<schema::StoreErrorCode>().getEnumerants();
  BOOST_REQUIRE(enumerants.size() == kStoreErrorCodes);
  for (std::size_t i = 0; i < kStoreErrorCodes; ++i) {
    std::string snake;
    for (char c : std::string(enumerants[i].getProto().getName().cStr())) {
      if (c >= 'A' && c <= 'Z') snake += '_', c = char(c - 'A' + 'a');
      snake += c;
    }
    BOOST_TEST(snake == name(static_cast<StoreErrorCode>(i)));
  }
}

// A reply from a peer older than the enum carries only the text.
BOOST_AUTO_TEST_CASE(a_reply_with_only_the_text_reads_by_name) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<schema::StoreResponse>();
  b.setErrorCode("proposal_dropped");
  b.setErrorMessage("lost its place");
  auto back = read_store_reply(m.getRoot<schema::StoreResponse>().asReader());
  BOOST_REQUIRE(back.ok());
  BOOST_REQUIRE(back->error.has_value());
  BOOST_TEST(back->error->code == StoreErrorCode::proposal_dropped);
  b.setErrorCode("a_code_from_the_future");
  back = read_store_reply(m.getRoot<schema::StoreResponse>().asReader());
  BOOST_TEST(back->error->code == StoreErrorCode::unknown);
}

// A newer peer's enum value this build does not know reads as unknown, never a crash.
BOOST_AUTO_TEST_CASE(an_enum_value_past_the_known_codes_reads_as_unknown) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<schema::StoreResponse>();
  b.setCode(static_cast<schema::StoreErrorCode>(kStoreErrorCodes + 7));
  auto back = read_store_reply(m.getRoot<schema::StoreResponse>().asReader());
  BOOST_REQUIRE(back.ok());
  BOOST_REQUIRE(back->error.has_value());
  BOOST_TEST(back->error->code == StoreErrorCode::unknown);
  BOOST_TEST(!proves_not_applied(back->error->code));
}

// The one rule every caller derives from: pinned for the codes whose meaning callers rely on.
BOOST_AUTO_TEST_CASE(classes_pin_what_each_code_says_about_a_write) {
  using C = StoreErrorCode;
  for (auto c :
       {C::not_leader, C::no_leader, C::busy, C::proposal_dropped, C::failed, C::removed}) {
    BOOST_TEST(proves_not_applied(c), c);
    BOOST_TEST(worth_retrying(c), c);
  }
  for (auto c : {C::unknown_request, C::too_large, C::no_space, C::malformed, C::invalid,
                 C::compacted, C::lease_not_found}) {
    BOOST_TEST(proves_not_applied(c), c);
    BOOST_TEST(!worth_retrying(c), c);
  }
  for (auto c : {C::timeout, C::stale_sequence, C::duplicate, C::storage, C::corrupt,
                 C::apply_failed, C::unknown, C::unspecified}) {
    BOOST_TEST(!proves_not_applied(c), c);
    BOOST_TEST(!worth_retrying(c), c);
  }
  BOOST_TEST(read_worth_retrying(C::timeout));
  BOOST_TEST(!read_worth_retrying(C::compacted));
}

BOOST_AUTO_TEST_CASE(a_lower_layers_unknown_code_becomes_storage_and_keeps_its_text) {
  auto e = to_store_error(craton::Error{"not_found", "lmdb: get"});
  BOOST_TEST(e.code == StoreErrorCode::storage);
  BOOST_TEST(e.message == "not_found: lmdb: get");
  BOOST_TEST(to_store_error(craton::Error{"compacted", "rev 3"}).code == StoreErrorCode::compacted);
}
