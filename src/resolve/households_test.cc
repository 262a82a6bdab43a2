// Household resolution over a real hub: records, events and nominals written through the Store
// API, then ResolveHouseholds, then the households read back.
#include "resolve/households.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "store/store_test_support.h"

namespace tessera::resolve {
namespace {

using model::LocationId;
using model::NominalId;

class HouseholdsTest : public store::testing::HubFixture {
 protected:
  LocationId Address(const std::string& line, const std::string& postcode = "M1 1AA",
                     bool no_fixed_abode = false) {
    auto txn = Begin();
    model::Location location;
    location.address_text = line;
    location.postcode = postcode;
    location.no_fixed_abode = no_fixed_abode;
    auto id = store_->UpsertLocation(*txn, location);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_TRUE(txn->Commit().ok());
    return id.value_or(0);
  }

  NominalId Person(const std::string& given) {
    auto txn = Begin();
    model::Nominal nominal;
    nominal.name = {given, "", "DOE", "", ""};
    auto id = store_->CreateNominal(*txn, nominal);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_TRUE(txn->Commit().ok());
    return id.value_or(0);
  }

  // One source row naming `nominal` at `location` (none if 0) on `date`, in an event with
  // reference `event_ref` and the person in `role`; the record is attached to the nominal.
  model::PersonRecordId Seen(NominalId nominal, LocationId location, const CivilDate& date,
                             const std::string& event_ref = "",
                             model::Role role = model::Role::kSubject,
                             const std::string& source = "csc_children") {
    auto txn = Begin();
    std::string key = "row" + std::to_string(++rows_);
    auto load =
        store_->BeginLoad(*txn, source, "a.csv", "hash-" + key, store::LoadMode::kIncremental);
    EXPECT_TRUE(load.ok()) << load.status().ToString();
    model::SourceRecord record;
    record.source_id = source;
    record.record_key = key;
    record.payload = key;
    record.provenance.load_id = *load;
    record.provenance.file = "a.csv";
    record.provenance.content_hash = key;
    auto put = store_->PutSourceRecord(*txn, record);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    model::PersonRecord person;
    person.source_record_id = put->id;
    person.mention_key = key;
    person.role = role;
    if (location != 0) person.location_id = location;
    auto person_id = store_->PutPersonRecord(*txn, person);
    EXPECT_TRUE(person_id.ok()) << person_id.status().ToString();
    model::Event event;
    event.source_record_id = put->id;
    event.event_ref = event_ref.empty() ? key : event_ref;
    event.type = "referral";
    event.agency = model::Agency::kChildrensSocialCare;
    event.date = date;
    event.involvements = {{*person_id, role}};
    auto event_id = store_->PutEvent(*txn, event);
    EXPECT_TRUE(event_id.ok()) << event_id.status().ToString();
    EXPECT_TRUE(store_->AttachPersonRecord(*txn, nominal, *person_id).ok());
    EXPECT_TRUE(store_->FinishLoad(*txn, *load, {1, 1, 0, 0, 0}).ok());
    EXPECT_TRUE(txn->Commit().ok());
    return *person_id;
  }

  HouseholdSummary Resolve(const HouseholdOptions& options = {}) {
    auto summary = ResolveHouseholds(*store_, options);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    return summary.value_or(HouseholdSummary{});
  }

  std::vector<model::Household> At(LocationId location) {
    auto found = store_->ListHouseholdsAtLocation(location);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.value_or(std::vector<model::Household>{});
  }

  static std::vector<NominalId> Members(const model::Household& h) {
    std::vector<NominalId> out;
    for (const auto& m : h.members) out.push_back(m.nominal_id);
    return out;
  }

  int rows_ = 0;
};

CivilDate D(int y, int m, int d) { return CivilDate{y, m, d}; }

TEST_F(HouseholdsTest, TwoPeopleAtOneAddressOverlappingAreOneHousehold) {
  LocationId home = Address("1 High Street");
  NominalId ann = Person("ANN"), bob = Person("BOB");
  Seen(ann, home, D(2020, 1, 10));
  Seen(ann, home, D(2021, 6, 1));
  Seen(bob, home, D(2020, 11, 3));

  HouseholdSummary summary = Resolve();
  EXPECT_EQ(summary.households, 1);
  EXPECT_EQ(summary.memberships, 2);
  EXPECT_EQ(summary.nominals_in_several, 0);
  EXPECT_EQ(summary.write.created, 1);
  ASSERT_EQ(summary.sizes.size(), 1u);
  EXPECT_EQ(summary.sizes[0], (std::pair<int, int64_t>{2, 1}));

  auto households = At(home);
  ASSERT_EQ(households.size(), 1u);
  const model::Household& h = households[0];
  EXPECT_EQ(Members(h), (std::vector<NominalId>{ann, bob}));
  EXPECT_EQ(h.from, D(2020, 1, 10));
  EXPECT_FALSE(h.to.has_value()) << "nobody was seen anywhere later: current";
  EXPECT_EQ(h.members[0].from, D(2020, 1, 10));
  EXPECT_EQ(h.members[1].from, D(2020, 11, 3));
  EXPECT_EQ(h.members[1].location_id, home);

  auto of_bob = store_->ListHouseholdsForNominal(bob);
  ASSERT_TRUE(of_bob.ok());
  ASSERT_EQ(of_bob->size(), 1u);
  EXPECT_EQ((*of_bob)[0].id, h.id);
  auto got = store_->GetHousehold(h.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Members(*got), Members(h));
}

TEST_F(HouseholdsTest, AMoveGivesTwoHouseholdsOverTimeWithTheirPeriods) {
  LocationId old_home = Address("1 High Street");
  LocationId new_home = Address("9 Low Road", "M2 2BB");
  NominalId ann = Person("ANN"), bob = Person("BOB");
  Seen(ann, old_home, D(2019, 3, 1));
  Seen(bob, old_home, D(2019, 9, 1));
  Seen(ann, new_home, D(2022, 5, 1));
  Seen(bob, new_home, D(2023, 1, 1));

  HouseholdSummary summary = Resolve();
  EXPECT_EQ(summary.households, 2);
  EXPECT_EQ(summary.nominals_housed, 2);
  EXPECT_EQ(summary.nominals_in_several, 2);

  auto before = At(old_home);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(Members(before[0]), (std::vector<NominalId>{ann, bob}));
  EXPECT_EQ(before[0].from, D(2019, 3, 1));
  EXPECT_EQ(before[0].to, D(2019, 9, 1)) << "both were seen elsewhere later";
  EXPECT_EQ(before[0].members[0].to, D(2019, 3, 1));

  auto after = At(new_home);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(Members(after[0]), (std::vector<NominalId>{ann, bob}));
  EXPECT_EQ(after[0].from, D(2022, 5, 1));
  EXPECT_FALSE(after[0].to.has_value());

  auto of_ann = store_->ListHouseholdsForNominal(ann);
  ASSERT_TRUE(of_ann.ok());
  ASSERT_EQ(of_ann->size(), 2u);
  EXPECT_EQ((*of_ann)[0].id, before[0].id) << "oldest first";
  EXPECT_EQ((*of_ann)[1].id, after[0].id);
}

TEST_F(HouseholdsTest, SuccessiveOccupantsFurtherApartThanTheGapAreTwoHouseholds) {
  LocationId home = Address("1 High Street");
  NominalId ann = Person("ANN"), bob = Person("BOB");
  Seen(ann, home, D(2019, 1, 1));
  Seen(bob, home, D(2019, 6, 1));
  HouseholdOptions options;
  options.gap_days = 90;
  EXPECT_EQ(Resolve(options).households, 2);
  options.gap_days = 200;
  EXPECT_EQ(Resolve(options).households, 1);
}

TEST_F(HouseholdsTest, AChildWithoutAnAddressJoinsItsParentThroughTheReferral) {
  LocationId home = Address("1 High Street");
  NominalId mum = Person("MUM"), kid = Person("KID"), other = Person("OTHER");
  Seen(mum, home, D(2021, 2, 2), "REF1", model::Role::kParent);
  Seen(kid, 0, D(2021, 2, 2), "REF1", model::Role::kChild);
  // The same reference in another source is another event: no link.
  Seen(other, 0, D(2021, 2, 2), "REF1", model::Role::kChild, "police_domestic_abuse");

  auto links = store_->ListFamilyLinks();
  ASSERT_TRUE(links.ok()) << links.status().ToString();
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ((*links)[0].adult_role, model::Role::kParent);

  HouseholdSummary summary = Resolve();
  EXPECT_EQ(summary.family_links, 1);
  EXPECT_EQ(summary.addresses_from_family, 1);
  EXPECT_EQ(summary.records_without_address, 2);
  auto households = At(home);
  ASSERT_EQ(households.size(), 1u);
  EXPECT_EQ(Members(households[0]), (std::vector<NominalId>{mum, kid}));
  EXPECT_TRUE(store_->ListHouseholdsForNominal(other)->empty());

  HouseholdOptions without;
  without.family_links = false;
  Resolve(without);
  households = At(home);
  ASSERT_EQ(households.size(), 1u);
  EXPECT_EQ(Members(households[0]), (std::vector<NominalId>{mum}));
}

TEST_F(HouseholdsTest, APostcodeAlonePlacesAPersonAtTheirHomeInThatPostcode) {
  // Social care holds only postcodes: the parent's record supports her home from the police
  // record, and the child (known to social care alone) joins her through the referral.
  LocationId home = Address("1 High Street", "M1 1AA");
  LocationId postcode = Address("", "M1 1AA");
  LocationId elsewhere = Address("", "M9 9ZZ");
  NominalId mum = Person("MUM"), kid = Person("KID");
  Seen(mum, home, D(2019, 1, 1), "", model::Role::kVictim, "police_crime");
  Seen(mum, postcode, D(2022, 1, 1), "REF1", model::Role::kParent);
  Seen(kid, postcode, D(2022, 1, 1), "REF1", model::Role::kChild);
  Seen(kid, elsewhere, D(2023, 1, 1));  // a postcode with no home known there: nobody placed

  HouseholdSummary summary = Resolve();
  EXPECT_EQ(summary.addresses_from_postcode, 1);
  EXPECT_EQ(summary.addresses_from_family, 1);
  EXPECT_EQ(summary.records_skipped_address, 1);
  auto households = At(home);
  ASSERT_EQ(households.size(), 1u);
  EXPECT_EQ(Members(households[0]), (std::vector<NominalId>{mum, kid}));
  EXPECT_EQ(households[0].members[0].from, D(2019, 1, 1));
  EXPECT_EQ(households[0].to, std::nullopt);
}

TEST_F(HouseholdsTest, IdsAreStableOnARerunAndAfterOneMoreRecord) {
  LocationId home = Address("1 High Street");
  LocationId flat = Address("Flat 2, 3 Mill Lane", "M3 3CC");
  NominalId ann = Person("ANN"), bob = Person("BOB"), cat = Person("CAT");
  Seen(ann, home, D(2020, 1, 1));
  Seen(bob, home, D(2020, 2, 1));
  Seen(cat, flat, D(2020, 3, 1));

  HouseholdSummary first = Resolve();
  EXPECT_EQ(first.write.created, 2);
  auto home_before = At(home);
  auto flat_before = At(flat);
  ASSERT_EQ(home_before.size(), 1u);
  ASSERT_EQ(flat_before.size(), 1u);

  HouseholdSummary again = Resolve();
  EXPECT_EQ(again.write.created, 0);
  EXPECT_EQ(again.write.changed, 0);
  EXPECT_EQ(again.write.unchanged, 2);
  EXPECT_EQ(again.write.dissolved, 0);
  EXPECT_EQ(At(home)[0].id, home_before[0].id);

  // A third person turns up at the home: same household, one more member.
  NominalId dan = Person("DAN");
  Seen(dan, home, D(2020, 4, 1));
  HouseholdSummary more = Resolve();
  EXPECT_EQ(more.write.created, 0);
  EXPECT_EQ(more.write.changed, 1);
  EXPECT_EQ(more.write.unchanged, 1);
  auto home_after = At(home);
  ASSERT_EQ(home_after.size(), 1u);
  EXPECT_EQ(home_after[0].id, home_before[0].id);
  EXPECT_EQ(Members(home_after[0]), (std::vector<NominalId>{ann, bob, dan}));
  EXPECT_EQ(At(flat)[0].id, flat_before[0].id);

  // Cat's records go to Ann's nominal (a merge): the flat's household follows the merge.
  {
    auto txn = Begin();
    auto cat_nominal = store_->GetNominal(cat);
    ASSERT_TRUE(cat_nominal.ok());
    for (auto record : cat_nominal->records) {
      ASSERT_TRUE(store_->AttachPersonRecord(*txn, ann, record).ok());
    }
    ASSERT_TRUE(store_->MergeNominals(*txn, ann, cat, "same person").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  HouseholdSummary merged = Resolve();
  EXPECT_EQ(merged.write.created, 0);
  EXPECT_EQ(At(flat)[0].id, flat_before[0].id);
  EXPECT_EQ(Members(At(flat)[0]), (std::vector<NominalId>{ann}));
}

TEST_F(HouseholdsTest, AHouseholdNoLongerFoundIsDissolvedButReadable) {
  LocationId home = Address("1 High Street");
  NominalId ann = Person("ANN");
  model::PersonRecordId record = Seen(ann, home, D(2020, 1, 1));
  Resolve();
  auto before = At(home);
  ASSERT_EQ(before.size(), 1u);
  {
    auto txn = Begin();
    ASSERT_TRUE(store_->DetachPersonRecord(*txn, record).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  HouseholdSummary summary = Resolve();
  EXPECT_EQ(summary.households, 0);
  EXPECT_EQ(summary.records_unresolved, 1);
  EXPECT_EQ(summary.write.dissolved, 1);
  EXPECT_TRUE(At(home).empty());
  auto gone = store_->GetHousehold(before[0].id);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->dissolved);
  EXPECT_EQ(Members(*gone), (std::vector<NominalId>{ann}));
}

TEST_F(HouseholdsTest, NoFixedAbodeAndBarePostcodesAreNotHomes) {
  LocationId nfa = Address("", "ZZ99 3VZ", /*no_fixed_abode=*/true);
  LocationId postcode_only = Address("", "M4 4DD");
  NominalId ann = Person("ANN"), bob = Person("BOB");
  Seen(ann, nfa, D(2020, 1, 1));
  Seen(bob, nfa, D(2020, 1, 2));
  Seen(ann, postcode_only, D(2020, 1, 1));
  Seen(bob, postcode_only, D(2020, 1, 2));
  HouseholdSummary summary = Resolve();
  EXPECT_EQ(summary.households, 0);
  EXPECT_EQ(summary.records_skipped_address, 4);
}

TEST_F(HouseholdsTest, ACrowdAtOneAddressIsCommunalNotAHousehold) {
  LocationId hostel = Address("Hostel, 5 Station Road");
  for (int i = 0; i < 5; ++i) Seen(Person("P" + std::to_string(i)), hostel, D(2020, 1, 1 + i));
  HouseholdOptions options;
  options.max_members = 4;
  HouseholdSummary summary = Resolve(options);
  EXPECT_EQ(summary.households, 0);
  EXPECT_EQ(summary.communal_groups, 1);
  EXPECT_EQ(summary.communal_nominals, 5);
}

TEST_F(HouseholdsTest, OptionsOutOfRangeAreRefused) {
  HouseholdOptions options;
  options.gap_days = -1;
  EXPECT_EQ(ResolveHouseholds(*store_, options).status().code(), StatusCode::kInvalidArgument);
  options = {};
  options.max_members = 0;
  EXPECT_EQ(ResolveHouseholds(*store_, options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera::resolve
