#include "core/yaml_node.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace tessera {
namespace {

using ::testing::ElementsAre;

const std::string kFile = "f.yaml";

YamlNode Parse(const std::string& text) { return YamlNode(YAML::Load(text), "", kFile); }

// The message a parse step fails with, or "" if it does not fail.
std::string ErrorOf(const std::function<void()>& step) {
  try {
    step();
  } catch (const YamlError& e) {
    return e.message;
  }
  return "";
}

TEST(YamlNode, ErrorsNameTheFileLineAndKeyPath) {
  const YamlNode root = Parse("a:\n  b:\n    - x\n    - {c: 1}\n");
  const YamlNode item = root.Require("a").Require("b").Items()[1];
  EXPECT_EQ(item.path(), "a.b[1]");
  EXPECT_EQ(item.Where(), "f.yaml:4");
  EXPECT_EQ(ErrorOf([&] { item.Require("d"); }), "f.yaml:4: a.b[1]: missing required key 'd'");
  EXPECT_EQ(ErrorOf([&] {
              item.AllowOnly({"e", "f"});
            }),
            "f.yaml:4: a.b[1].c: unknown key 'c' (expected one of: e, f)");
  EXPECT_EQ(ErrorOf([&] { item.AllowOnly({"c"}); }), "");
}

TEST(YamlNode, AbsentAndNullKeysAreNotThere) {
  const YamlNode root = Parse("a: 1\nb: ~\n");
  EXPECT_TRUE(root.Has("a"));
  EXPECT_FALSE(root.Has("b"));
  EXPECT_FALSE(root.Has("c"));
  EXPECT_FALSE(root.Require("a").Get("x").has_value());  // a scalar has no keys
}

TEST(YamlNode, ItemsAreAListOrOneItemWrittenAlone) {
  auto texts = [](const YamlNode& n) {
    std::vector<std::string> out;
    for (const YamlNode& item : n.Items()) out.push_back(item.IsMap() ? "{map}" : item.Scalar());
    return out;
  };
  const YamlNode root = Parse("list: [x, y]\none: x\nmap: {k: v}\nempty: []\n");
  EXPECT_THAT(texts(root.Require("list")), ElementsAre("x", "y"));
  EXPECT_THAT(texts(root.Require("one")), ElementsAre("x"));
  EXPECT_THAT(texts(root.Require("map")), ElementsAre("{map}"));
  EXPECT_EQ(ErrorOf([&] { root.Require("empty").Items(); }), "f.yaml:4: empty: is an empty list");
}

TEST(YamlNode, ScalarMayBeEmptyButTextMayNotBeBlank) {
  const YamlNode root = Parse("empty: ''\nblank: '  '\nlist: [a]\n");
  EXPECT_EQ(root.Require("empty").Scalar(), "");
  EXPECT_EQ(ErrorOf([&] { root.Require("blank").Text(); }), "f.yaml:2: blank: is blank");
  EXPECT_EQ(ErrorOf([&] { root.Require("list").Scalar(); }),
            "f.yaml:3: list: expected a single value");
  EXPECT_EQ(ErrorOf([&] { root.Require("list").Text(); }), "f.yaml:3: list: expected text");
}

TEST(YamlNode, NumbersAreFiniteAndWhole) {
  const YamlNode root = Parse("a: -3.5\nb: 1e3\nc: .inf\nd: nan\ne: 12x\nf: 7\ng: 2.5\n");
  EXPECT_EQ(root.Require("a").Number(), -3.5);
  EXPECT_EQ(root.Require("b").Number(), 1000);
  for (const char* key : {"c", "d", "e"}) {
    EXPECT_THAT(ErrorOf([&] { root.Require(key).Number(); }),
                ::testing::HasSubstr("expected a number"))
        << key;
  }
  EXPECT_EQ(root.Require("f").WholeNumber(1, 10), 7);
  EXPECT_EQ(ErrorOf([&] { root.Require("f").WholeNumber(8, 10); }),
            "f.yaml:6: f: must be 8 to 10, not 7");
  EXPECT_EQ(ErrorOf([&] { root.Require("g").WholeNumber(1, 10); }),
            "f.yaml:7: g: expected a whole number, not '2.5'");
  EXPECT_EQ(root.Require("g").NonNegativeNumber(), 2.5);
  EXPECT_THAT(ErrorOf([&] { root.Require("a").NonNegativeNumber(); }),
              ::testing::HasSubstr("must be a number, zero or more, not '-3.5'"));
}

TEST(YamlNode, BoolsAreTrueFalseYesOrNo) {
  const YamlNode root = Parse("a: yes\nb: false\nc: maybe\n");
  EXPECT_TRUE(root.Require("a").Bool());
  EXPECT_FALSE(root.Require("b").Bool());
  EXPECT_EQ(ErrorOf([&] { root.Require("c").Bool(); }),
            "f.yaml:3: c: expected true or false, not 'maybe'");
}

TEST(YamlNode, EntriesKeepTheKeysAndTheirPaths) {
  const YamlNode root = Parse("m:\n  x: 1\n  y: 2\nl: [1]\n");
  std::vector<std::string> seen;
  for (const auto& [key, value] : root.Require("m").Entries()) {
    seen.push_back(key + "=" + value.Scalar() + "@" + value.path());
  }
  EXPECT_THAT(seen, ElementsAre("x=1@m.x", "y=2@m.y"));
  EXPECT_EQ(ErrorOf([&] { root.Require("l").Entries(); }), "f.yaml:4: l: expected a mapping");
}

}  // namespace
}  // namespace tessera
