// The single view's reads (issue 5): person records with their source record and events in one
// read, events sharing a reference, and person records and events at a location.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store.h"
#include "store/store_test_support.h"

namespace tessera::store {
namespace {

using testing::kTestEpochMicros;

class ViewReadsTest : public testing::HubFixture {
 protected:
  void SetUp() override {
    HubFixture::SetUp();
    auto txn = Begin();
    ASSERT_NE(txn, nullptr);
    load_ = *store_->BeginLoad(*txn, "police_crime", "a.csv", "h", LoadMode::kIncremental);
    model::Location location;
    location.address_text = "1 High Street";
    location.postcode = "M1 1AA";
    home_ = *store_->UpsertLocation(*txn, location);
    location.address_text = "2 High Street";
    flat_ = *store_->UpsertLocation(*txn, location);
    ASSERT_TRUE(txn->Commit().ok());
  }

  struct Row {
    model::SourceRecordId source_record = 0;
    model::PersonRecordId person = 0;
    model::EventId event = 0;
  };

  // One row of a crime: a source record `key` naming one person at `home` (0: none), in an
  // event with reference `ref` on `date` at `at` (0: none).
  Row Put(Transaction& txn, const std::string& key, const std::string& ref, CivilDate date,
          model::Role role, model::LocationId home, model::LocationId at,
          const std::string& content = "v1") {
    Row out;
    model::SourceRecord record;
    record.source_id = "police_crime";
    record.record_key = key;
    record.payload = "payload of " + key + " " + content;
    record.provenance.load_id = load_;
    record.provenance.file = "a.csv";
    record.provenance.content_hash = key + content;
    record.provenance.received_at_micros = kTestEpochMicros;
    auto put = store_->PutSourceRecord(txn, record);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    out.source_record = put->id;
    model::PersonRecord person;
    person.source_record_id = put->id;
    person.mention_key = key;
    person.role = role;
    person.name.given = key;
    if (home != 0) person.location_id = home;
    out.person = *store_->PutPersonRecord(txn, person);
    model::Event event;
    event.source_record_id = put->id;
    event.event_ref = ref;
    event.type = "crime";
    event.agency = model::Agency::kPolice;
    event.date = date;
    if (at != 0) event.location_id = at;
    event.involvements = {{out.person, role}};
    auto id = store_->PutEvent(txn, event);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    out.event = *id;
    return out;
  }

  model::LoadId load_ = 0;
  model::LocationId home_ = 0, flat_ = 0;
};

TEST_F(ViewReadsTest, PersonRecordDetailsReadRecordSourceNominalAndEventsTogether) {
  auto txn = Begin();
  Row a = Put(*txn, "A", "CR1", {2024, 3, 1}, model::Role::kVictim, home_, home_);
  Row b = Put(*txn, "B", "CR1", {2024, 3, 1}, model::Role::kSuspect, flat_, home_);
  // A second event for A's record, with B in it too, dated before the first.
  model::Event second;
  second.source_record_id = a.source_record;
  second.event_ref = "CR0";
  second.type = "crime";
  second.agency = model::Agency::kPolice;
  second.date = {2023, 1, 1};
  second.involvements = {{a.person, model::Role::kWitness}, {b.person, model::Role::kOffender}};
  const model::EventId second_id = *store_->PutEvent(*txn, second);
  const model::NominalId nominal = *store_->CreateNominal(*txn, model::Nominal{});
  ASSERT_TRUE(store_->AttachPersonRecord(*txn, nominal, a.person).ok());
  ASSERT_TRUE(txn->Commit().ok());

  const std::vector<model::PersonRecordId> ids = {b.person, a.person, b.person};
  auto details = store_->ListPersonRecordDetails(ids, /*with_events=*/true);
  ASSERT_TRUE(details.ok()) << details.status().ToString();
  ASSERT_EQ(details->size(), 2u) << "each record once, in id order";
  const PersonRecordDetail& da = (*details)[0];
  EXPECT_EQ(da.person.id, a.person);
  EXPECT_EQ(da.person.source_id, "police_crime");
  EXPECT_EQ(da.person.name.given, "A");
  EXPECT_EQ(da.source.id, a.source_record);
  EXPECT_EQ(da.source.record_key, "A");
  EXPECT_EQ(da.source.version, 1);
  EXPECT_EQ(da.source.provenance.received_at_micros, kTestEpochMicros);
  EXPECT_EQ(da.source.provenance.content_hash, "Av1");
  EXPECT_TRUE(da.source.payload.empty()) << "the payload is not read";
  EXPECT_EQ(da.nominal_id, nominal);
  ASSERT_EQ(da.events.size(), 2u);
  EXPECT_EQ(da.events[0].id, second_id) << "by date";
  EXPECT_EQ(da.events[0].involvements.size(), 2u);
  EXPECT_EQ(da.events[1].id, a.event);
  EXPECT_EQ(da.events[1].event_ref, "CR1");
  EXPECT_EQ(da.events[1].location_id, home_);
  const PersonRecordDetail& db = (*details)[1];
  EXPECT_EQ(db.nominal_id, std::nullopt);
  ASSERT_EQ(db.events.size(), 2u);
  EXPECT_EQ(db.events[0].id, second_id) << "an event of two records comes with each";
  EXPECT_EQ(db.events[0].involvements.size(), 2u);

  // The same as the per-id reads give.
  auto events = store_->ListEventsForPersonRecord(a.person);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), da.events.size());
  for (size_t i = 0; i < events->size(); ++i) {
    const model::Event& want = (*events)[i];
    const model::Event& got = da.events[i];
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.source_record_id, want.source_record_id);
    EXPECT_EQ(got.date, want.date);
    ASSERT_EQ(got.involvements.size(), want.involvements.size());
    for (size_t j = 0; j < want.involvements.size(); ++j) {
      EXPECT_EQ(got.involvements[j].person_record_id, want.involvements[j].person_record_id);
      EXPECT_EQ(got.involvements[j].role, want.involvements[j].role);
    }
  }
  auto person = store_->GetPersonRecord(a.person);
  ASSERT_TRUE(person.ok());
  EXPECT_EQ(da.person.source_record_id, person->source_record_id);
  EXPECT_EQ(da.person.mention_key, person->mention_key);
  EXPECT_EQ(da.person.role, person->role);
  EXPECT_EQ(da.person.location_id, person->location_id);

  auto meta = store_->GetSourceRecordMeta(a.source_record);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  auto full = store_->GetSourceRecord(a.source_record);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->payload, "payload of A v1");
  EXPECT_TRUE(meta->payload.empty());
  EXPECT_EQ(meta->id, full->id);
  EXPECT_EQ(meta->source_id, full->source_id);
  EXPECT_EQ(meta->record_key, full->record_key);
  EXPECT_EQ(meta->version, full->version);
  EXPECT_EQ(meta->deleted, full->deleted);
  EXPECT_EQ(meta->provenance.load_id, full->provenance.load_id);
  EXPECT_EQ(meta->provenance.file, full->provenance.file);
  EXPECT_EQ(meta->provenance.received_at_micros, full->provenance.received_at_micros);
  EXPECT_EQ(meta->provenance.content_hash, full->provenance.content_hash);
  EXPECT_EQ(store_->GetSourceRecordMeta(987654).status().code(), StatusCode::kNotFound);

  auto without = store_->ListPersonRecordDetails(ids, /*with_events=*/false);
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE((*without)[0].events.empty());
  EXPECT_EQ((*without)[0].source.id, a.source_record);

  auto none = store_->ListPersonRecordDetails({}, true);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  const std::vector<model::PersonRecordId> missing = {a.person, 987654};
  auto not_found = store_->ListPersonRecordDetails(missing, false);
  EXPECT_EQ(not_found.status().code(), StatusCode::kNotFound);
  EXPECT_NE(not_found.status().message().find("987654"), std::string::npos);
}

TEST_F(ViewReadsTest, EventsByReferenceAreTheCurrentRowsOfOneSource) {
  auto txn = Begin();
  Row a = Put(*txn, "A", "CR1", {2024, 3, 2}, model::Role::kVictim, home_, home_);
  Row b = Put(*txn, "B", "CR1", {2024, 3, 1}, model::Role::kSuspect, home_, home_);
  Row c = Put(*txn, "C", "CR2", {2024, 3, 1}, model::Role::kSuspect, home_, home_);
  Row d = Put(*txn, "D", "CR1", {2024, 3, 1}, model::Role::kWitness, home_, home_);
  ASSERT_TRUE(txn->Commit().ok());
  (void)c;

  auto rows = store_->ListEventsByReference("police_crime", "CR1", 10);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].id, b.event) << "by date, then id";
  EXPECT_EQ((*rows)[1].id, d.event);
  EXPECT_EQ((*rows)[2].id, a.event);
  ASSERT_EQ((*rows)[0].involvements.size(), 1u);
  EXPECT_EQ((*rows)[0].involvements[0].person_record_id, b.person);
  EXPECT_EQ((*rows)[0].involvements[0].role, model::Role::kSuspect);
  auto limited = store_->ListEventsByReference("police_crime", "CR1", 2);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->size(), 2u);

  // A new version of B and a deletion of D: only current, not deleted versions count.
  auto t2 = Begin();
  Row b2 = Put(*t2, "B", "CR1", {2024, 3, 1}, model::Role::kSuspect, home_, home_, "v2");
  ASSERT_TRUE(store_->DeleteSourceRecord(*t2, "police_crime", "D", load_).ok());
  ASSERT_TRUE(t2->Commit().ok());
  rows = store_->ListEventsByReference("police_crime", "CR1", 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id, b2.event);
  EXPECT_EQ((*rows)[1].id, a.event);

  auto other_source = store_->ListEventsByReference("housing", "CR1", 10);
  ASSERT_TRUE(other_source.ok());
  EXPECT_TRUE(other_source->empty());
  EXPECT_EQ(store_->ListEventsByReference("police_crime", "", 10).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListEventsByReference("", "CR1", 10).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListEventsByReference("police_crime", "CR1", 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ViewReadsTest, PersonRecordsAtLocationAreCurrentAndNewestFirst) {
  auto txn = Begin();
  Row a = Put(*txn, "A", "CR1", {2024, 3, 1}, model::Role::kVictim, home_, 0);
  Row b = Put(*txn, "B", "CR2", {2024, 3, 1}, model::Role::kVictim, home_, 0);
  Put(*txn, "C", "CR3", {2024, 3, 1}, model::Role::kVictim, flat_, 0);
  Row d = Put(*txn, "D", "CR4", {2024, 3, 1}, model::Role::kVictim, home_, 0);
  ASSERT_TRUE(txn->Commit().ok());

  auto here = store_->ListPersonRecordsAtLocation(home_, 10);
  ASSERT_TRUE(here.ok()) << here.status().ToString();
  ASSERT_EQ(here->size(), 3u);
  EXPECT_EQ((*here)[0].id, d.person) << "newest stored first";
  EXPECT_EQ((*here)[1].id, b.person);
  EXPECT_EQ((*here)[2].id, a.person);
  EXPECT_EQ((*here)[0].source_id, "police_crime");
  EXPECT_EQ((*here)[0].name.given, "D");
  auto limited = store_->ListPersonRecordsAtLocation(home_, 1);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 1u);
  EXPECT_EQ((*limited)[0].id, d.person);

  // B moves to the flat in a new version; D is deleted.
  auto t2 = Begin();
  Row b2 = Put(*t2, "B", "CR2", {2024, 3, 1}, model::Role::kVictim, flat_, 0, "v2");
  ASSERT_TRUE(store_->DeleteSourceRecord(*t2, "police_crime", "D", load_).ok());
  ASSERT_TRUE(t2->Commit().ok());
  here = store_->ListPersonRecordsAtLocation(home_, 10);
  ASSERT_TRUE(here.ok());
  ASSERT_EQ(here->size(), 1u);
  EXPECT_EQ((*here)[0].id, a.person);
  auto flat = store_->ListPersonRecordsAtLocation(flat_, 10);
  ASSERT_TRUE(flat.ok());
  ASSERT_EQ(flat->size(), 2u);
  EXPECT_EQ((*flat)[0].id, b2.person);

  EXPECT_EQ(store_->ListPersonRecordsAtLocation(987654, 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListPersonRecordsAtLocation(home_, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ViewReadsTest, EventsAtLocationAreCurrentAndNewestFirst) {
  auto txn = Begin();
  Row a = Put(*txn, "A", "CR1", {2024, 3, 1}, model::Role::kVictim, 0, home_);
  Row b = Put(*txn, "B", "CR2", {2025, 1, 1}, model::Role::kVictim, 0, home_);
  Row c = Put(*txn, "C", "CR3", {2024, 3, 1}, model::Role::kVictim, 0, home_);
  Row d = Put(*txn, "D", "CR4", {2026, 1, 1}, model::Role::kVictim, home_, flat_);
  ASSERT_TRUE(txn->Commit().ok());

  auto here = store_->ListEventsAtLocation(home_, 10);
  ASSERT_TRUE(here.ok()) << here.status().ToString();
  ASSERT_EQ(here->size(), 3u) << "an event elsewhere of a person living here is not here";
  EXPECT_EQ((*here)[0].id, b.event) << "newest date first";
  EXPECT_EQ((*here)[1].id, c.event) << "then the larger id";
  EXPECT_EQ((*here)[2].id, a.event);
  ASSERT_EQ((*here)[0].involvements.size(), 1u);
  EXPECT_EQ((*here)[0].involvements[0].person_record_id, b.person);
  auto limited = store_->ListEventsAtLocation(home_, 2);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->size(), 2u);

  auto t2 = Begin();
  ASSERT_TRUE(store_->DeleteSourceRecord(*t2, "police_crime", "B", load_).ok());
  Row c2 = Put(*t2, "C", "CR3", {2024, 3, 1}, model::Role::kVictim, 0, flat_, "v2");
  ASSERT_TRUE(t2->Commit().ok());
  here = store_->ListEventsAtLocation(home_, 10);
  ASSERT_TRUE(here.ok());
  ASSERT_EQ(here->size(), 1u);
  EXPECT_EQ((*here)[0].id, a.event);
  auto flat = store_->ListEventsAtLocation(flat_, 10);
  ASSERT_TRUE(flat.ok());
  ASSERT_EQ(flat->size(), 2u);
  EXPECT_EQ((*flat)[0].id, d.event) << "2026 then 2024";
  EXPECT_EQ((*flat)[1].id, c2.event);

  EXPECT_EQ(store_->ListEventsAtLocation(987654, 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListEventsAtLocation(home_, -1).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ViewReadsTest, EventFactsCarryTypeReferenceAndEachNominalsRoles) {
  auto txn = Begin();
  Row a = Put(*txn, "A", "CR7", {2024, 3, 1}, model::Role::kVictim, home_, home_);
  // A second person in A's row, a witness and a suspect in one more event of it.
  model::PersonRecord other;
  other.source_record_id = a.source_record;
  other.mention_key = "A#2";
  other.name.given = "B";
  const model::PersonRecordId b = *store_->PutPersonRecord(*txn, other);
  model::Event event;
  event.source_record_id = a.source_record;
  event.event_ref = "CR8";
  event.type = "assault";
  event.category = "violence";
  event.agency = model::Agency::kPolice;
  event.date = {2024, 4, 1};
  event.involvements = {
      {a.person, model::Role::kVictim}, {b, model::Role::kWitness}, {b, model::Role::kSuspect}};
  const model::EventId second = *store_->PutEvent(*txn, event);
  const model::NominalId na = *store_->CreateNominal(*txn, model::Nominal{});
  const model::NominalId nb = *store_->CreateNominal(*txn, model::Nominal{});
  ASSERT_TRUE(store_->AttachPersonRecord(*txn, na, a.person).ok());
  ASSERT_TRUE(store_->AttachPersonRecord(*txn, nb, b).ok());
  ASSERT_TRUE(txn->Commit().ok());

  auto facts = store_->ListEventFacts({2024, 1, 1}, {2024, 12, 31});
  ASSERT_TRUE(facts.ok()) << facts.status().ToString();
  ASSERT_EQ(facts->size(), 2u);
  const EventFact& first = (*facts)[0];
  EXPECT_EQ(first.id, a.event);
  EXPECT_EQ(first.type, "crime");
  EXPECT_EQ(first.reference, "CR7");
  EXPECT_EQ(first.involvements, (std::vector<EventFact::Involvement>{{na, model::Role::kVictim}}));
  const EventFact& f = (*facts)[1];
  EXPECT_EQ(f.id, second);
  EXPECT_EQ(f.type, "assault");
  EXPECT_EQ(f.category, "violence");
  EXPECT_EQ(f.reference, "CR8");
  EXPECT_EQ(f.nominals, (std::vector<model::NominalId>{na, nb}));
  // By nominal, then role (the enum's order: victim before suspect before witness).
  EXPECT_EQ(f.involvements, (std::vector<EventFact::Involvement>{{na, model::Role::kVictim},
                                                                 {nb, model::Role::kSuspect},
                                                                 {nb, model::Role::kWitness}}));
}

}  // namespace
}  // namespace tessera::store
