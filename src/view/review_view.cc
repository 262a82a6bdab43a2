// Clerical review as a request may see it (view.h): the resolver's borderline pairs, side by
// side, with their waterfalls, and what a clerical decision may name.
#include <algorithm>

#include "resolve/resolver.h"
#include "view/dossier.h"

namespace tessera::view {
namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): this module's own helpers

// One side of a pair, judged by the request.
struct Side {
  govern::RecordAccess access = govern::RecordAccess::kWithheld;
  model::NominalId nominal = 0;  // the nominal the record is in now; 0 if none
  VisibleRecord record;          // filled when visible
};

Result<Side> Judge(Reader& reader, model::PersonRecordId id) {
  Side side;
  TRY_ASSIGN(model::PersonRecord person, reader.store().GetPersonRecord(id));
  TRY_ASSIGN(const model::SourceRecord* source, reader.SourceRecord(person.source_record_id));
  TRY_ASSIGN(std::optional<model::NominalId> nominal,
             reader.store().FindNominalForPersonRecord(id));
  side.nominal = nominal.value_or(0);
  const govern::RecordVisibility v =
      reader.visibility().ForRecord(source->source_id, source->id, side.nominal);
  side.access = v.access;
  if (v.visible()) {
    side.record.person = std::move(person);
    side.record.person.source_id = source->source_id;
    side.record.source = *source;
    side.record.fields = v.fields;
  }
  return side;
}

// The worst of the two sides: sealed beats withheld beats visible.
govern::RecordAccess PairAccess(const Side& a, const Side& b) {
  using govern::RecordAccess;
  if (a.access == RecordAccess::kSealed || b.access == RecordAccess::kSealed) {
    return RecordAccess::kSealed;
  }
  if (a.access == RecordAccess::kWithheld || b.access == RecordAccess::kWithheld) {
    return RecordAccess::kWithheld;
  }
  return RecordAccess::kVisible;
}

void AddToSeen(const Side& a, const Side& b, Seen& seen) {
  for (const Side* s : {&a, &b}) {
    seen.AddRecord(s->record.source.id);
    if (s->nominal != 0) seen.AddNominal(s->nominal);
  }
}

// A visible pair (both sides visible). `full_steps`: the waterfall's steps with their values,
// else only what the queue lists.
Result<json> PairJson(Reader& reader, const resolve::LinkageModel& model,
                      const store::ReviewPair& pair, const Side& a, const Side& b,
                      bool full_steps) {
  TRY_ASSIGN(resolve::Waterfall w, resolve::ExplainPair(reader.store(), model, pair.a, pair.b));
  json waterfall = WaterfallJson(w, a.record.fields, b.record.fields);
  if (!full_steps) {
    for (json& step : waterfall["steps"]) {
      if (step.value("withheld", false)) continue;
      json brief = {{"comparison", step["comparison"]},
                    {"level", step["level"]},
                    {"description", step["description"]},
                    {"weight", step["weight"]}};
      step = std::move(brief);
    }
  }
  json records = json::array();
  for (const Side* s : {&a, &b}) {
    TRY_ASSIGN(json record, RecordJson(reader, s->record));
    record.erase("events");  // not read for a review
    records.push_back({{"nominal_id", s->nominal}, {"record", std::move(record)}});
  }
  json out = {{"review_pair_id", pair.id},
              {"status", std::string(store::ReviewStatusName(pair.status))},
              {"created_at", Utc(pair.created_at_micros)}};
  // The stored score is the waterfall's total: shown only when every step is.
  if (waterfall.value("withheld_steps", 0) == 0) {
    out["probability"] = pair.probability;
    out["match_weight"] = pair.match_weight;
  }
  if (!pair.decided_by.empty()) {
    out["decided_by"] = pair.decided_by;
    out["reason"] = pair.reason;
    if (pair.decided_at_micros) out["decided_at"] = Utc(*pair.decided_at_micros);
  }
  out["records"] = std::move(records);
  out["waterfall"] = std::move(waterfall);
  return out;
}

}  // namespace

Result<Page> ReviewQueuePage(const ViewContext& ctx, const resolve::LinkageModel& model,
                             const store::ReviewQuery& query, Seen& seen) {
  if (query.limit < 1 || query.limit > 100) {
    return Status::InvalidArgument("limit must be 1 to 100");
  }
  Reader reader(ctx);
  TRY_ASSIGN(std::vector<store::ReviewPair> pairs, ctx.store.ListReviewPairs(query));
  json shown = json::array();
  int64_t withheld = 0;
  for (const store::ReviewPair& pair : pairs) {
    TRY_ASSIGN(Side a, Judge(reader, pair.a));
    TRY_ASSIGN(Side b, Judge(reader, pair.b));
    const govern::RecordAccess access = PairAccess(a, b);
    if (access == govern::RecordAccess::kSealed) continue;
    if (access == govern::RecordAccess::kWithheld) {
      ++withheld;
      continue;
    }
    TRY_ASSIGN(json j, PairJson(reader, model, pair, a, b, /*full_steps=*/false));
    shown.push_back(std::move(j));
    AddToSeen(a, b, seen);
  }
  seen.Normalise();
  Page page;
  page.body = {{"pairs", std::move(shown)}, {"withheld", withheld}};
  if (static_cast<int>(pairs.size()) == query.limit) page.body["next_after"] = pairs.back().id;
  return page;
}

Result<Page> ReviewPairPage(const ViewContext& ctx, const resolve::LinkageModel& model,
                            int64_t review_pair_id, Seen& seen) {
  Reader reader(ctx);
  const Status not_found =
      Status::NotFound("review pair " + std::to_string(review_pair_id) + " not found");
  auto pair = ctx.store.GetReviewPair(review_pair_id);
  if (!pair.ok()) return pair.status().code() == StatusCode::kNotFound ? not_found : pair.status();
  TRY_ASSIGN(Side a, Judge(reader, pair->a));
  TRY_ASSIGN(Side b, Judge(reader, pair->b));
  if (PairAccess(a, b) != govern::RecordAccess::kVisible) return not_found;
  TRY_ASSIGN(json body, PairJson(reader, model, *pair, a, b, /*full_steps=*/true));
  AddToSeen(a, b, seen);
  seen.Normalise();
  Page page;
  page.body = std::move(body);
  return page;
}

Result<store::ReviewPair> VisibleReviewPair(const ViewContext& ctx, int64_t review_pair_id,
                                            Seen& seen) {
  Reader reader(ctx);
  const Status not_found =
      Status::NotFound("review pair " + std::to_string(review_pair_id) + " not found");
  auto pair = ctx.store.GetReviewPair(review_pair_id);
  if (!pair.ok()) return pair.status().code() == StatusCode::kNotFound ? not_found : pair.status();
  TRY_ASSIGN(Side a, Judge(reader, pair->a));
  TRY_ASSIGN(Side b, Judge(reader, pair->b));
  if (PairAccess(a, b) != govern::RecordAccess::kVisible) return not_found;
  AddToSeen(a, b, seen);
  seen.Normalise();
  return std::move(pair).value();
}

Result<NominalRecords> NominalRecordAccess(const ViewContext& ctx, model::NominalId id) {
  Reader reader(ctx);
  NominalRecords out;
  TRY_ASSIGN(out.live, reader.LiveNominal(id));
  TRY_ASSIGN(model::Nominal nominal, ctx.store.GetNominal(out.live));
  for (model::PersonRecordId person_id : nominal.records) {
    TRY_ASSIGN(model::PersonRecord person, ctx.store.GetPersonRecord(person_id));
    TRY_ASSIGN(const model::SourceRecord* source, reader.SourceRecord(person.source_record_id));
    const govern::RecordVisibility v =
        ctx.visibility.ForRecord(source->source_id, source->id, out.live);
    if (v.visible()) {
      out.visible.emplace(person_id, source->id);
    } else if (v.access == govern::RecordAccess::kWithheld) {
      out.withheld.push_back(person_id);
    }
  }
  // Nothing of it visible: as if unknown (its records must not be named).
  if (out.visible.empty()) return Status::NotFound("nominal " + std::to_string(id) + " not found");
  return out;
}

}  // namespace tessera::view
