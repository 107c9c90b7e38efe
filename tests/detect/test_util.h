// Helpers shared by the recognizer tests: one default-compiled Scanner and
// "which substrings of the text were reported as type T".

#ifndef GWANMUN_TESTS_DETECT_TEST_UTIL_H_
#define GWANMUN_TESTS_DETECT_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detect/scanner.h"

namespace gwanmun::detect::testutil {

// A Scanner compiled with default options, shared by the tests of a binary.
inline const Scanner& DefaultScanner() {
  static const std::unique_ptr<Scanner> scanner = [] {
    auto s = Scanner::Compile(ScannerOptions{});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return std::move(s).value();
  }();
  return *scanner;
}

// All spans of `text` (original byte offsets).
inline std::vector<Span> ScanAll(std::string_view text) {
  ScanScratch scratch;
  std::vector<Span> spans;
  Status st = DefaultScanner().Scan(text, scratch, &spans);
  EXPECT_TRUE(st.ok()) << st.message();
  return spans;
}

// The substrings of `text` reported as `type`, in order.
inline std::vector<std::string> ValuesOfType(std::string_view text, EntityType type) {
  std::vector<std::string> out;
  for (const Span& s : ScanAll(text)) {
    if (s.type == type) out.emplace_back(text.substr(s.start, s.end - s.start));
  }
  return out;
}

}  // namespace gwanmun::detect::testutil

#endif  // GWANMUN_TESTS_DETECT_TEST_UTIL_H_
