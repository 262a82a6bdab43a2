#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ingest/ingest.h"
#include "ingest/test_hub.h"

namespace tessera::ingest {
namespace {

namespace fs = std::filesystem;

class QualityTest : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    Write("crime.yaml", R"(
source: crime
agency: police
format: csv
record_key: Id
event:
  type: crime
  date: {field: Date, formats: [dd/mm/yyyy]}
  category: {field: Cat, map: {T: theft, B: burglary}}
people:
  - given: Given
    family: Family
    dob: {field: Dob, formats: [dd/mm/yyyy]}
    address: {postcode: Postcode}
)");
  }
  model::LoadId Load(const std::string& file, const std::string& text) {
    Write(file, text);
    Ingestor ingestor(*store_, clock_);
    auto r = ingestor.LoadFile((hub_ / "crime.yaml").string(), (hub_ / file).string(), file);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->load_id : 0;
  }

  static const store::FieldQuality* Field(const QualityReport& r, const std::string& attribute) {
    for (const auto& f : r.quality->fields) {
      if (f.attribute == attribute) return &f;
    }
    return nullptr;
  }

  // `n` rows of category code `cat`, the first `missing_dob` without a date of birth.
  static std::string Rows(int from, int n, const std::string& cat, int missing_dob,
                          bool header = true) {
    std::string out = header ? "Id,Date,Cat,Given,Family,Dob,Postcode\n" : "";
    for (int i = 0; i < n; ++i) {
      out += std::to_string(from + i) + ",01/03/2024," + cat + ",Ann,Lee," +
             (i < missing_dob ? "" : "01/02/1980") + ",M1 1AE\n";
    }
    return out;
  }
};

TEST_F(QualityTest, CountsPresentValidFlaggedAndPlaceholderPerField) {
  const model::LoadId load =
      Load("a.csv",
           "Id,Date,Cat,Given,Family,Dob,Postcode\n"
           "1,01/03/2024,T,Ann,Lee,01/02/1980,M1 1AE\n"
           "2,02/03/2024,T,Unknown,Hill,01/01/1900,M1 1AE\n"  // placeholder name and dob
           "3,03/03/2024,B,Cat,Ray,31/02/1980,QX1 1ZZ\n"      // invalid dob and postcode
           "4,04/03/2024,Q,Dan,,07/08/1970,\n"                // unknown category code
           "5,,T,Eve,Fox,07/08/1970,M1 1AE\n"                 // no event date: quarantined
           "6,05/03/2024,,Fay,Gee,,M1 1AE\n");                // no category, no dob
  auto r = BuildQualityReport(*store_, "crime");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->load.id, load);
  ASSERT_TRUE(r->quality.has_value());
  EXPECT_EQ(r->load.counts.read, 6);
  EXPECT_EQ(r->load.counts.quarantined, 1);
  EXPECT_EQ(r->quality->records, 5) << "quarantined rows are not counted";
  EXPECT_EQ(r->quality->flagged_records, 2);

  using FQ = store::FieldQuality;
  const FQ* given = Field(*r, "person.given");
  ASSERT_NE(given, nullptr);
  EXPECT_EQ(*given, (FQ{"person.given", "Given", 5, 5, 4, 0, 1}));
  const FQ* family = Field(*r, "person.family");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(*family, (FQ{"person.family", "Family", 5, 4, 4, 0, 0}));
  const FQ* dob = Field(*r, "person.dob");
  ASSERT_NE(dob, nullptr);
  EXPECT_EQ(*dob, (FQ{"person.dob", "Dob", 5, 4, 2, 1, 1}));
  const FQ* postcode = Field(*r, "person.address.postcode");
  ASSERT_NE(postcode, nullptr);
  EXPECT_EQ(*postcode, (FQ{"person.address.postcode", "Postcode", 5, 4, 3, 1, 0}));
  const FQ* date = Field(*r, "event.date");
  ASSERT_NE(date, nullptr);
  EXPECT_EQ(*date, (FQ{"event.date", "Date", 5, 5, 5, 0, 0}));
  const FQ* category = Field(*r, "event.category");
  ASSERT_NE(category, nullptr);
  EXPECT_EQ(*category, (FQ{"event.category", "Cat", 5, 4, 3, 1, 0}));
  EXPECT_EQ(r->quality->fields.size(), 6u);

  using Counts = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(r->quality->categories, (Counts{{"burglary", 1}, {"theft", 2}, {"unknown", 2}}));
  EXPECT_FALSE(r->previous_load.has_value()) << "the first load has nothing to drift from";

  // The formats carry the numbers and no personal data.
  const std::string text = FormatQualityReport(*r);
  EXPECT_NE(text.find("person.dob"), std::string::npos) << text;
  EXPECT_EQ(text.find("Ann"), std::string::npos) << text;
  auto json = nlohmann::json::parse(QualityReportJson(*r));
  EXPECT_EQ(json["source"], "crime");
  EXPECT_EQ(json["statistics_kept"], true);
  EXPECT_EQ(json["fields"].size(), 6u);
  EXPECT_EQ(json["load"]["quarantined"], 1);
  EXPECT_TRUE(json.contains("duplicates"));
  EXPECT_TRUE(json["drift"]["previous_load"].is_null());
}

TEST_F(QualityTest, AShiftedCategoryMixAndWorseCompletenessAreDrift) {
  const model::LoadId first = Load("a.csv", Rows(1, 10, "T", 0));
  const model::LoadId second =
      Load("b.csv", Rows(101, 5, "T", 5) + Rows(106, 5, "B", 0, /*header=*/false));
  auto r = BuildQualityReport(*store_, "crime");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->load.id, second);
  ASSERT_EQ(r->previous_load, std::optional<model::LoadId>(first));

  const FieldDrift* dob = nullptr;
  const FieldDrift* given = nullptr;
  for (const auto& d : r->field_drift) {
    if (d.attribute == "person.dob") dob = &d;
    if (d.attribute == "person.given") given = &d;
  }
  ASSERT_NE(dob, nullptr);
  EXPECT_DOUBLE_EQ(dob->completeness_before, 100.0);
  EXPECT_DOUBLE_EQ(dob->completeness_now, 50.0);
  EXPECT_TRUE(dob->drifted);
  ASSERT_NE(given, nullptr);
  EXPECT_FALSE(given->drifted);

  ASSERT_EQ(r->category_drift.size(), 2u);
  EXPECT_EQ(r->category_drift[0].category, "burglary");
  EXPECT_DOUBLE_EQ(r->category_drift[0].share_before, 0.0);
  EXPECT_DOUBLE_EQ(r->category_drift[0].share_now, 50.0);
  EXPECT_TRUE(r->category_drift[0].drifted);
  EXPECT_EQ(r->category_drift[1].category, "theft");
  EXPECT_TRUE(r->category_drift[1].drifted);
  EXPECT_EQ(r->DriftCount(), 3);
  EXPECT_NE(FormatQualityReport(*r).find("drift since load"), std::string::npos);

  // Exactly 5 points is not drift: dob completeness 50% -> 45%, categories 50/50 -> 50/50.
  const model::LoadId third =
      Load("c.csv", Rows(201, 10, "T", 5) + Rows(211, 10, "B", 6, /*header=*/false));
  auto again = BuildQualityReport(*store_, "crime", third);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->previous_load, std::optional<model::LoadId>(second));
  EXPECT_EQ(again->DriftCount(), 0);

  // An earlier load's report compares with the load before it, not the latest.
  auto earlier = BuildQualityReport(*store_, "crime", second);
  ASSERT_TRUE(earlier.ok());
  EXPECT_EQ(earlier->previous_load, std::optional<model::LoadId>(first));
}

TEST_F(QualityTest, DuplicatesWithinTheSourceAreCountedExactly) {
  Load("a.csv",
       "Id,Date,Cat,Given,Family,Dob,Postcode\n"
       "1,01/03/2024,T,Ann,Lee,01/02/1980,M1 1AE\n"
       "2,01/03/2024,T,Ann,Lee,01/02/1980,M1 1AE\n"   // row 1 again under a new key
       "3,09/09/2024,B,ANN,LEE,01/02/1980,M2 5BQ\n"   // the same person, another crime
       "4,01/03/2024,T,Bob,Hill,02/02/1990,M1 1AE\n"  // someone else
       "5,01/03/2024,T,Bob,Hill,03/03/1991,M1 1AE\n"  // a namesake, born another day
       "6,01/03/2024,T,Unknown,Unknown,01/01/1900,\n"
       "7,01/03/2024,T,Unknown,Unknown,01/01/1900,\n");  // nothing to compare: not counted
  auto d = store_->CountDuplicates("crime");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->same_content_groups, 1);
  EXPECT_EQ(d->same_content_records, 2);
  EXPECT_EQ(d->probable_person_groups, 1);
  EXPECT_EQ(d->probable_person_records, 3);

  // Only current records count: key 2 sent again with other content is no longer a copy.
  Load("b.csv",
       "Id,Date,Cat,Given,Family,Dob,Postcode\n"
       "2,01/03/2024,T,Zoe,Lee,01/02/1980,M1 1AE\n");
  d = store_->CountDuplicates("crime");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->same_content_groups, 0);
  EXPECT_EQ(d->probable_person_records, 2);

  auto r = BuildQualityReport(*store_, "crime");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->duplicates.has_value());
  EXPECT_EQ(r->duplicates->probable_person_groups, 1);
}

TEST_F(QualityTest, ALoadWithoutStatisticsIsReportedAsSuch) {
  // A load written without statistics, as every load before schema version 2 was.
  {
    auto txn = store_->Begin();
    ASSERT_TRUE(txn.ok());
    auto load = store_->BeginLoad(**txn, "old", "old.csv", "hash", store::LoadMode::kIncremental);
    ASSERT_TRUE(load.ok());
    ASSERT_TRUE(store_->FinishLoad(**txn, *load, {3, 3, 0, 0, 0}).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  Load("a.csv", Rows(1, 4, "T", 1));
  Load("b.csv", Rows(11, 4, "B", 1));

  auto r = BuildQualityReport(*store_, "old");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->quality.has_value());
  EXPECT_EQ(r->DriftCount(), 0);
  EXPECT_NE(FormatQualityReport(*r).find("no field statistics"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(QualityReportJson(*r))["statistics_kept"], false);

  auto summary = BuildQualitySummary(*store_);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_EQ(summary->size(), 2u);
  EXPECT_EQ((*summary)[0].load.source_id, "crime");
  EXPECT_EQ((*summary)[0].load.counts.read, 4);
  EXPECT_FALSE((*summary)[0].duplicates.has_value());
  EXPECT_EQ((*summary)[0].DriftCount(), 2) << "theft 100% -> 0%, burglary 0% -> 100%";
  EXPECT_EQ((*summary)[1].load.source_id, "old");
  const std::string text = FormatQualitySummary(*summary);
  EXPECT_NE(text.find("no statistics"), std::string::npos) << text;
  auto json = nlohmann::json::parse(QualitySummaryJson(*summary));
  ASSERT_EQ(json["sources"].size(), 2u);
  EXPECT_EQ(json["sources"][0]["drift"]["flags"], 2);
  EXPECT_FALSE(json["sources"][0].contains("fields"));

  EXPECT_EQ(BuildQualityReport(*store_, "nobody").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(BuildQualityReport(*store_, "crime", r->load.id).status().code(),
            StatusCode::kInvalidArgument)
      << "a load of another source";
}

}  // namespace
}  // namespace tessera::ingest
