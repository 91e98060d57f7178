// main() for the runtime tests: death tests re-execute the binary
// ("threadsafe" style), which is what ThreadSanitizer supports.
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
