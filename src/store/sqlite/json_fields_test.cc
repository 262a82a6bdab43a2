// The JSON columns: what the store writes it reads back, and what it did not write (a damaged
// column) is Corruption, never a crash or an exception.
#include "store/sqlite/json_fields.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tessera::store::sqlite {
namespace {

TEST(JsonFields, IdentifiersRoundTrip) {
  std::vector<model::Identifier> in = {{model::IdentifierKind::kCroNumber, "012345/01Z", true},
                                       {model::IdentifierKind::kLocalId, "", false}};
  auto text = EncodeIdentifiers(in);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, R"([{"kind":"cro_number","valid":true,"value":"012345/01Z"},)"
                   R"({"kind":"local_id","valid":false,"value":""}])");
  auto out = DecodeIdentifiers(*text);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].kind, model::IdentifierKind::kCroNumber);
  EXPECT_EQ((*out)[0].value, "012345/01Z");
  EXPECT_TRUE((*out)[0].valid);
  EXPECT_EQ((*out)[1].kind, model::IdentifierKind::kLocalId);
}

TEST(JsonFields, EmptyListsAreEmptyArrays) {
  EXPECT_EQ(EncodeStrings({}).value_or("?"), "[]");
  EXPECT_EQ(EncodeFlags({}).value_or("?"), "[]");
  auto names = DecodeNames("[]");
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
}

TEST(JsonFields, TextThatIsNotUtf8CannotBeStored) {
  auto text = EncodeStrings({std::string("\xff\xfe", 2)});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kInvalidArgument);
}

TEST(JsonFields, DamagedColumnsAreCorruption) {
  EXPECT_EQ(DecodeStrings("not json").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeStrings("{\"a\": 1}").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeStrings("[1, 2]").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeIdentifiers(R"([{"kind":"passport","value":"x","valid":true}])").status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeIdentifiers(R"([{"kind":"uprn","value":"x"}])").status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeRawValues(R"([{"field":"a"}])").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeFlags(R"([null])").status().code(), StatusCode::kCorruption);
}

// The decoders read what the store writes with a reader of their own (nlohmann was most of the
// resolver's read time) and fall back on nlohmann for anything else: both must agree.
TEST(JsonFields, DecodingAgreesWithNlohmannOnAwkwardText) {
  const std::vector<std::string> texts = {
      R"([])",
      R"( [ ] )",
      R"(["a","b"])",
      R"([ "a" , "b" ])",
      R"(["quote \" backslash \\ slash \/ controls \b\f\n\r\t"])",
      R"(["\u00e9t\u00C9 \u20ac \ud83d\ude00"])",
      "[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"]",
      R"([""])",
  };
  for (const std::string& text : texts) {
    auto decoded = DecodeStrings(text);
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, nlohmann::json::parse(text).get<std::vector<std::string>>()) << text;
  }
  auto names = DecodeNames(
      R"([{"suffix":"JR","title":"DR","middle":"","given":"J\u00c9AN","family":"O'NEIL"}])");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  ASSERT_EQ(names->size(), 1u);
  EXPECT_EQ((*names)[0].given,
            "J\xc3\x89"
            "AN");
  EXPECT_EQ((*names)[0].family, "O'NEIL");
  EXPECT_EQ((*names)[0].title, "DR");
  EXPECT_EQ((*names)[0].suffix, "JR");
  auto ids =
      DecodeIdentifiers(R"([ {"value":"943 476 5919", "valid": false, "kind":"nhs_number"} ])");
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->size(), 1u);
  EXPECT_EQ((*ids)[0].kind, model::IdentifierKind::kNhsNumber);
  EXPECT_EQ((*ids)[0].value, "943 476 5919");
  EXPECT_FALSE((*ids)[0].valid);
  auto raw = DecodeRawValues(R"([{"field":"dob","value":"01/02/1990"},{"value":"x","field":"y"}])");
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->size(), 2u);
  EXPECT_EQ((*raw)[1].field, "y");
  EXPECT_EQ((*raw)[1].value, "x");
}

TEST(JsonFields, EverythingEncodedDecodesToTheSame) {
  const std::string awkward = "tab\t quote\" back\\ nul\x01 \xc3\xa9 \xf0\x9f\x98\x80";
  auto strings = EncodeStrings({awkward, "", "plain"});
  ASSERT_TRUE(strings.ok());
  EXPECT_EQ(DecodeStrings(*strings).value(), (std::vector<std::string>{awkward, "", "plain"}));
  auto flags = EncodeFlags({{awkward, "reason " + awkward}});
  ASSERT_TRUE(flags.ok());
  auto flags_back = DecodeFlags(*flags);
  ASSERT_TRUE(flags_back.ok());
  EXPECT_EQ((*flags_back)[0].field, awkward);
  EXPECT_EQ((*flags_back)[0].reason, "reason " + awkward);
  auto names = EncodeNames({{awkward, "M", "F", "T", "S"}});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(DecodeNames(*names).value()[0].given, awkward);
}

TEST(JsonFields, MalformedTextIsStillCorruption) {
  for (const char* text :
       {R"(["unterminated)", R"(["a",])", R"(["a"] x)", R"(["\ud83d"])", R"(["\udc00"])",
        R"(["\x"])", "[\"\xff\"]", "[\"a\nb\"]", R"([true])", R"(["a" "b"])"}) {
    EXPECT_EQ(DecodeStrings(text).status().code(), StatusCode::kCorruption) << text;
  }
  EXPECT_EQ(DecodeNames(R"([{"given":"A"}])").status().code(), StatusCode::kCorruption)
      << "a name needs every part";
  EXPECT_EQ(
      DecodeIdentifiers(R"([{"kind":"nhs_number","valid":"yes","value":"1"}])").status().code(),
      StatusCode::kCorruption);
}

TEST(JsonFields, IsoDates) {
  auto date = DecodeIsoDate("2000-02-29");
  ASSERT_TRUE(date.ok());
  EXPECT_EQ(*date, (CivilDate{2000, 2, 29}));
  for (const char* bad :
       {"2001-02-29", "2000-2-29", "29/02/2000", "", "2000-02-29T00:00", "abcd-ef-gh"}) {
    EXPECT_EQ(DecodeIsoDate(bad).status().code(), StatusCode::kCorruption) << bad;
  }
}

TEST(JsonFields, VocabularyNamesRoundTrip) {
  for (model::Sex sex : {model::Sex::kUnknown, model::Sex::kMale, model::Sex::kFemale}) {
    EXPECT_EQ(SexFromName(model::SexName(sex)), sex);
  }
  for (model::ObjectKind kind :
       {model::ObjectKind::kVehicle, model::ObjectKind::kPhone, model::ObjectKind::kEmail}) {
    EXPECT_EQ(ObjectKindFromName(model::ObjectKindName(kind)), kind);
  }
  EXPECT_FALSE(SexFromName("M").has_value());
}

}  // namespace
}  // namespace tessera::store::sqlite

namespace tessera::store::sqlite {
namespace {

// The hand-written encoders write exactly what nlohmann's dump() writes for the same values.
TEST(JsonFieldsEncoding, MatchesNlohmannOnAwkwardText) {
  const std::vector<std::string> awkward = {"",
                                            "plain",
                                            "quote \" and backslash \\",
                                            "tab\tnew\nline\rcr",
                                            std::string("nul\0x", 5),
                                            "\x01\x1f control",
                                            "Zoë Seán Łukasz",
                                            "emoji \xF0\x9F\x98\x80",
                                            "/slash/"};
  std::vector<model::RawValue> raw;
  std::vector<model::QualityFlag> flags;
  nlohmann::json expected_raw = nlohmann::json::array();
  nlohmann::json expected_flags = nlohmann::json::array();
  for (const auto& text : awkward) {
    raw.push_back({text, text + "!"});
    flags.push_back({text, "bad " + text});
    expected_raw.push_back({{"field", text}, {"value", text + "!"}});
    expected_flags.push_back({{"field", text}, {"reason", "bad " + text}});
  }
  auto encoded_raw = EncodeRawValues(raw);
  auto encoded_flags = EncodeFlags(flags);
  auto encoded_strings = EncodeStrings(awkward);
  ASSERT_TRUE(encoded_raw.ok() && encoded_flags.ok() && encoded_strings.ok());
  EXPECT_EQ(*encoded_raw, expected_raw.dump());
  EXPECT_EQ(*encoded_flags, expected_flags.dump());
  EXPECT_EQ(*encoded_strings, nlohmann::json(awkward).dump());

  std::vector<model::Identifier> ids = {{model::IdentifierKind::kNhsNumber, "9434765919", true},
                                        {model::IdentifierKind::kLocalId, "N\"1", false}};
  nlohmann::json expected_ids = nlohmann::json::array();
  for (const auto& id : ids) {
    expected_ids.push_back(
        {{"kind", model::IdentifierKindName(id.kind)}, {"value", id.value}, {"valid", id.valid}});
  }
  EXPECT_EQ(*EncodeIdentifiers(ids), expected_ids.dump());
}

TEST(JsonFieldsEncoding, RefusesInvalidUtf8) {
  for (const char* bad :
       {"\xC3\x28", "\xFF", "\xED\xA0\x80", "\xE0\x80\xAF", "\xF4\x90\x80\x80", "\xC3"}) {
    auto r = EncodeRawValues({{"field", std::string("a") + bad}});
    EXPECT_FALSE(r.ok()) << "accepted " << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace tessera::store::sqlite
