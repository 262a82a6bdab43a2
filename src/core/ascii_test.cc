#include "core/ascii.h"

#include <gtest/gtest.h>

#include <string>

namespace tessera::ascii {
namespace {

TEST(EscapedForTerminalTest, KeepsPrintableAsciiAndUtf8Letters) {
  EXPECT_EQ(EscapedForTerminal("C1,Smith,14/03/1987"), "C1,Smith,14/03/1987");
  EXPECT_EQ(EscapedForTerminal("Zo\xC3\xAB \xE6\x9D\x8E \xF0\x9F\x98\x80"),
            "Zo\xC3\xAB \xE6\x9D\x8E \xF0\x9F\x98\x80");
}

TEST(EscapedForTerminalTest, EscapesControlsBackslashAndLineEnds) {
  EXPECT_EQ(EscapedForTerminal("a\x1b]0;owned\x07"
                               "b"),
            "a\\x1B]0;owned\\x07b");
  EXPECT_EQ(EscapedForTerminal("x\r\n"), "x\\x0D\\x0A");
  EXPECT_EQ(EscapedForTerminal("\\x41"), "\\x5Cx41") << "a literal escape stays distinguishable";
  EXPECT_EQ(EscapedForTerminal(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(EscapedForTerminal("\x7f"), "\\x7F");
}

TEST(EscapedForTerminalTest, EscapesBytesThatAreNotUtf8) {
  EXPECT_EQ(EscapedForTerminal("Zo\xEB"), "Zo\\xEB") << "CP1252, not UTF-8";
  EXPECT_EQ(EscapedForTerminal("\xC0\xAF"), "\\xC0\\xAF") << "overlong";
  EXPECT_EQ(EscapedForTerminal("\xED\xA0\x80"), "\\xED\\xA0\\x80") << "surrogate";
  EXPECT_EQ(EscapedForTerminal("\xE2\x82"), "\\xE2\\x82") << "cut short";
}

TEST(EscapedForTerminalTest, EscapesUtf8ControlsAndInvisibleFormatting) {
  EXPECT_EQ(EscapedForTerminal("\xC2\x9B"
                               "2J"),
            "\\xC2\\x9B2J")
      << "C1 CSI";
  EXPECT_EQ(EscapedForTerminal("abc\xE2\x80\xAE"
                               "fed"),
            "abc\\xE2\\x80\\xAEfed")
      << "RLO";
  EXPECT_EQ(EscapedForTerminal("\xE2\x80\x8B"), "\\xE2\\x80\\x8B") << "zero-width space";
  EXPECT_EQ(EscapedForTerminal("\xEF\xBB\xBF"
                               "id"),
            "\\xEF\\xBB\\xBFid")
      << "BOM";
}

}  // namespace
}  // namespace tessera::ascii
