// Unit tests of the pure Raft core (actors/store/). One module; suites live in the files
// named after the feature they cover.
#define BOOST_TEST_MODULE store_raft
#include <boost/test/unit_test.hpp>
