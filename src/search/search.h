// Live search of nominals: one text box ("jon smith 14/03/1987 LS6 2AB", an NHS number, a phone,
// an email, a source's record key) in, ranked nominals with a score and a "why" out, computed
// only from what the asking request may see.
//
// The index holds every current person record as the resolver holds it (resolve::RecordTable:
// values interned once, Double Metaphone codes and name-variant ids worked out once) with its
// source record version and nominal, and inverted indexes from values to records. It is built
// from the store once (Build) and kept current by CatchUp, which reads new person records and
// the nominal change feed outside the lock and applies them under a short exclusive lock, while
// any number of Search calls run under a shared lock. Design: docs/design/0011-search.md.
//
// Governance: a Search is made for one request's govern::Visibility. A record contributes to
// a hit (its score, its reasons, its summary, its list of records seen) only when its source
// record is visible, and then only through the fields in its mask: person.name for names,
// person.dob, person.sex, person.address for postcodes and address words, person.nhs_number,
// person.identifiers, person.phone, person.email. The source's own record key counts whenever
// the record is visible. Sealed records and sealed nominals are never found; a nominal none of
// whose visible records matches is not a result.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dates.h"
#include "core/status.h"
#include "govern/visibility.h"
#include "model/model.h"
#include "store/store.h"

namespace tessera::search {

inline constexpr int kMaxLimit = 100;

struct SearchQuery {
  // One box: names, dates of birth (full, "03/1987", "1987"), postcodes (full, sector,
  // district), address words after a house number, NHS numbers, phones, emails and record keys
  // or other identifiers, in any order.
  std::string text;
  std::optional<CivilDate> dob_from, dob_to;  // an explicit filter (inclusive)
  std::string postcode;                       // an explicit filter: full, sector or district
  std::vector<std::string> sources;           // only records of these datasets (empty: all)
  int limit = 10;                             // 1..kMaxLimit
};

// What a piece of the query was read as.
enum class TermKind : uint8_t {
  kName,              // a name word; `role` says where it was written
  kInitial,           // one letter: a given-name initial
  kDob,               // a full date of birth
  kBirthMonth,        // month and year
  kBirthYear,         // year alone
  kDobRange,          // the explicit dob_from / dob_to filter
  kPostcode,          // a full postcode, "LS6 2AB"
  kPostcodeSector,    // "LS6 2"
  kPostcodeDistrict,  // "LS6"
  kAddressWords,      // address text after a house number or with a street word ("ACACIA AVENUE")
  kNhsNumber,         // ten digits with a valid check digit
  kPhone,             // E.164, as ingest writes phones
  kEmail,             // normalised (lower case)
  kIdentifier,        // anything else with a digit: a record key, PNC ID, CRO, NI number...
};
std::string_view TermKindName(TermKind kind);  // "name", "dob", "postcode_district"...

enum class NameRole : uint8_t { kAny, kGiven, kMiddle, kFamily };

struct QueryTerm {
  TermKind kind = TermKind::kName;
  std::string value;  // the standardised value: "ROBERT", "LS6 2AB", "+447700900123"...
  std::vector<std::string> words;     // kAddressWords: the words, upper case
  std::vector<std::string> variants;  // kIdentifier: the forms looked up (as typed, normalised)
  NameRole role = NameRole::kAny;
  CivilDate date;         // kDob, kBirthMonth (day 1), kBirthYear (1 January), kDobRange from
  CivilDate date_to;      // kDobRange to
  bool required = false;  // explicit filters: a nominal must match them to be a result
  std::string typed;      // what the user typed, for messages
};

struct ParsedQuery {
  std::vector<QueryTerm> terms;
  std::vector<std::string> sources;
  int limit = 10;
  // "name ROBERT (given); name SMITH (family); dob 1987-03-14": for logs and tests.
  std::string Describe() const;
};

// Reads the query into typed terms. InvalidArgument, saying why, for an empty query, one with
// nothing usable in it, or a limit outside 1..kMaxLimit. Thread-safe.
Result<ParsedQuery> ParseQuery(const SearchQuery& query);

struct SearchHit {
  model::NominalId nominal_id = 0;
  // The share of the query's evidence the nominal's visible records match, in [0, 1]: each
  // term has a weight (an NHS number more than a year of birth) and is matched at its best
  // grade over the nominal's visible records (exact 1, nickname 0.85, typo 0.8...); the score
  // is the weighted mean. 1 means everything asked for was found exactly.
  double score = 0;
  std::string why;  // "given name nickname of ROBERT; DOB exact; postcode district"
  std::vector<std::string> reasons;  // "given name: nickname (BOB ~ ROBERT)", "dob: exact"
  // Summary from visible records and fields only: the most frequent name, date of birth, sex
  // and postcode among them; empty (nullopt) where nothing visible holds one.
  std::string display_name;  // "ROBERT SMITH"
  std::optional<CivilDate> dob;
  std::string sex;  // "male", "female" or ""
  std::string postcode;
  // The visible source record versions whose values were used (score or summary): what was
  // seen, for the audit log. Sorted.
  std::vector<model::SourceRecordId> records;
  int visible_records = 0;  // the nominal's visible person records
};

// The hit as JSON, for the HTTP API: {"nominal_id", "score", "why", "reasons", "display_name",
// "dob", "sex", "postcode", "records", "visible_records"}.
std::string HitToJson(const SearchHit& hit);

struct IndexStats {
  size_t records = 0;   // person records held (current and attached or waiting)
  size_t nominals = 0;  // nominals with at least one record
  size_t keys = 0;      // distinct keys in the inverted indexes
  size_t postings = 0;
};

// How much of the inverted indexes a search reads before scoring (docs/design/0011-search.md,
// "Candidates"). The defaults suit a hub of millions of records; tests make them small.
struct SearchLimits {
  size_t short_term = 256;  // a term with at most this many postings is read in full
  // A longer term is read narrowed by the rarer terms after it (as many as have this many
  // postings between them), and only up to this many of its own postings; beyond that it is
  // probed on the candidates instead.
  size_t narrow_max = 100'000;
  // At most this many records taken from one long term (narrowed, or a bare common name's
  // best keys in order, when nothing narrows it).
  size_t first_read = 20'000;
};

class SearchIndex {
 public:
  ~SearchIndex();
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  // From every current person record, its location and its nominal.
  static Result<std::unique_ptr<SearchIndex>> Build(store::Store& store);

  // Brings the index up to date: new person records and locations, nominal changes since the
  // last Build/CatchUp (attachments, merges, splits, retirements) and records that stopped
  // being current. Reads the store without holding the index's lock; applies what it read
  // under an exclusive lock taken in short slices. One CatchUp at a time (callers serialise
  // them); any number of Search calls may run meanwhile.
  Status CatchUp(store::Store& store);

  // The best `limit` nominals for the query, as seen by `visibility`. Thread-safe.
  Result<std::vector<SearchHit>> Search(const SearchQuery& query,
                                        const govern::Visibility& visibility) const;
  Result<std::vector<SearchHit>> Search(const ParsedQuery& query,
                                        const govern::Visibility& visibility) const;

  // Replaces the read limits; takes effect for the searches that start afterwards.
  void SetLimits(const SearchLimits& limits);

  size_t records() const;
  size_t nominals() const;
  IndexStats Stats() const;

 private:
  struct Impl;
  explicit SearchIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::search
