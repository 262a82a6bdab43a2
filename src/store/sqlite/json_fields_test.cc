// The JSON columns: what the store writes it reads back, and what it did not write (a damaged
// column) is Corruption, never a crash or an exception.
#include "store/sqlite/json_fields.h"

#include <gtest/gtest.h>

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
