// Why a record is in a nominal: the resolver's waterfall, no more visible than its records.
#include <algorithm>

#include "resolve/resolver.h"
#include "view/dossier.h"

namespace tessera::view {
namespace internal {
namespace {

// The fields a comparison reads: it may be shown only when both records may show them all.
FieldMask ComparisonFields(resolve::ComparisonKind kind) {
  using resolve::ComparisonKind;
  switch (kind) {
    case ComparisonKind::kGivenName:
    case ComparisonKind::kFamilyName:
      return govern::Bit(Field::kPersonName);  // a swap check reads both names: one field
    case ComparisonKind::kDateOfBirth:
      return govern::Bit(Field::kPersonDob);
    case ComparisonKind::kSex:
      return govern::Bit(Field::kPersonSex);
    case ComparisonKind::kLocation:
      return govern::Bit(Field::kPersonAddress);
    case ComparisonKind::kNhsNumber:
      return govern::Bit(Field::kPersonNhsNumber);
    case ComparisonKind::kIdentifiers:
      return govern::Bit(Field::kPersonIdentifiers);
    case ComparisonKind::kContact:
      return govern::Bit(Field::kPersonPhone) | govern::Bit(Field::kPersonEmail);
  }
  return govern::kAllFields;  // unknown: never shown
}

}  // namespace

json WaterfallJson(const resolve::Waterfall& w, FieldMask a, FieldMask b) {
  json steps = json::array();
  int64_t withheld = 0;
  for (const resolve::WaterfallStep& s : w.steps) {
    const FieldMask needed = ComparisonFields(s.kind);
    if ((a & needed) != needed || (b & needed) != needed) {
      ++withheld;
      steps.push_back({{"comparison", s.comparison}, {"withheld", true}});
      continue;
    }
    steps.push_back({{"comparison", s.comparison},
                     {"level", s.level},
                     {"description", s.description},
                     {"value_a", s.value_a},
                     {"value_b", s.value_b},
                     {"m", s.m},
                     {"u", s.u},
                     {"term_frequency", s.term_frequency},
                     {"bayes_factor", s.bayes_factor},
                     {"weight", s.weight},
                     {"cumulative", s.cumulative}});
  }
  json out = {{"prior_weight", w.prior_weight}, {"withheld_steps", withheld}};
  if (withheld == 0) {
    out["match_weight"] = w.match_weight;
    out["probability"] = w.probability;
    out["decision"] = w.decision;
  } else {
    // The total less the shown weights would give the withheld ones away.
    for (json& step : steps) step.erase("cumulative");
  }
  out["steps"] = std::move(steps);
  return out;
}

}  // namespace internal

using namespace internal;  // NOLINT(google-build-using-namespace): this module's own helpers

Result<Page> RecordExplanation(const ViewContext& ctx, const resolve::LinkageModel& model,
                               model::NominalId nominal, model::PersonRecordId record, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(model::NominalId live, reader.LiveNominal(nominal));
  if (live != nominal) {
    Page page;
    page.redirect_to = live;
    return page;
  }
  const Status not_found = Status::NotFound("record " + std::to_string(record) +
                                            " not found in nominal " + std::to_string(nominal));
  // Only the nominal's visible records take part; the dossier judged each of them.
  TRY_ASSIGN(Dossier d, reader.ReadDossier(live, /*with_events=*/false));
  const VisibleRecord* subject = nullptr;
  for (const VisibleRecord& r : d.records) {
    if (r.person.id == record) subject = &r;
  }
  if (subject == nullptr) return not_found;  // not in it, withheld or sealed: all the same
  auto explained = resolve::ExplainRecordAgainstNominal(ctx.store, model, record, live);
  if (!explained.ok()) return explained.status();
  json comparisons = json::array();
  for (const auto& [other_id, waterfall] : explained->pairs) {
    const VisibleRecord* other = nullptr;
    for (const VisibleRecord& r : d.records) {
      if (r.person.id == other_id) other = &r;
    }
    if (other == nullptr) continue;  // withheld ones are counted below; sealed ones never
    json c = WaterfallJson(waterfall, subject->fields, other->fields);
    c["person_record_id"] = other_id;
    c["source_id"] = other->source.source_id;
    c["source_record_id"] = other->source.id;
    comparisons.push_back(std::move(c));
    seen.AddRecord(other->source.id);
  }
  TRY_ASSIGN(json subject_json, RecordJson(reader, *subject));
  subject_json.erase("events");  // not read for an explanation
  seen.AddNominal(live);
  seen.AddRecord(subject->source.id);
  seen.Normalise();
  Page page;
  page.body = {{"nominal_id", live},
               {"person_record_id", record},
               {"record", std::move(subject_json)},
               {"comparisons", std::move(comparisons)},
               {"comparisons_withheld", d.withheld.total()}};
  return page;
}

}  // namespace tessera::view
