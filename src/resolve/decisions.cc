// Clerical decisions as store writes (resolver.h): what `tessera review accept|reject`,
// `tessera nominal merge|split` and the API's review routes record. The resolver that owns the
// hub applies them at its next run.
#include <algorithm>

#include "resolve/resolver.h"

namespace tessera::resolve {

Result<ClericalDecision> ReviewPairDecision(store::Store& store, int64_t review_pair_id,
                                            bool accept, const DecisionAuthor& by) {
  TRY_ASSIGN(store::ReviewPair pair, store.GetReviewPair(review_pair_id));
  store::LinkDecision d;
  d.a = pair.a;
  d.b = pair.b;
  d.kind = accept ? store::LinkDecisionKind::kMustLink : store::LinkDecisionKind::kCannotLink;
  d.actor = by.actor;
  d.reason = by.reason;
  d.review_pair_id = review_pair_id;
  ClericalDecision out;
  out.links.push_back(std::move(d));
  out.review_pair_id = review_pair_id;
  out.review_outcome = accept ? store::ReviewStatus::kAccepted : store::ReviewStatus::kRejected;
  return out;
}

Result<ClericalDecision> MergeDecision(store::Store& store, model::NominalId into,
                                       model::NominalId from, const DecisionAuthor& by,
                                       const std::function<bool(model::PersonRecordId)>& eligible) {
  TRY_ASSIGN(model::NominalId a, store.ResolveNominalId(into));
  TRY_ASSIGN(model::NominalId b, store.ResolveNominalId(from));
  if (a == b) return Status::InvalidArgument("the two nominals are already one");
  // One record of each: the link joins their nominals, whatever else they hold.
  auto pick = [&](model::NominalId id) -> Result<model::PersonRecordId> {
    TRY_ASSIGN(model::Nominal n, store.GetNominal(id));
    for (model::PersonRecordId r : n.records) {
      if (!eligible || eligible(r)) return r;
    }
    return Status::FailedPrecondition("both nominals must hold records");
  };
  store::LinkDecision d;
  TRY_ASSIGN(d.a, pick(a));
  TRY_ASSIGN(d.b, pick(b));
  d.kind = store::LinkDecisionKind::kMustLink;
  d.actor = by.actor;
  d.reason = by.reason;
  ClericalDecision out;
  out.links.push_back(std::move(d));
  return out;
}

Result<ClericalDecision> SplitDecision(store::Store& store, model::NominalId nominal,
                                       const std::vector<model::PersonRecordId>& records,
                                       const DecisionAuthor& by) {
  TRY_ASSIGN(model::NominalId live, store.ResolveNominalId(nominal));
  TRY_ASSIGN(model::Nominal n, store.GetNominal(live));
  std::vector<model::PersonRecordId> off = records;
  std::sort(off.begin(), off.end());
  off.erase(std::unique(off.begin(), off.end()), off.end());
  for (model::PersonRecordId r : off) {
    if (std::find(n.records.begin(), n.records.end(), r) == n.records.end()) {
      return Status::InvalidArgument("person record " + std::to_string(r) + " is not in nominal " +
                                     std::to_string(live));
    }
  }
  std::vector<model::PersonRecordId> stay;
  for (model::PersonRecordId r : n.records) {
    if (!std::binary_search(off.begin(), off.end(), r)) stay.push_back(r);
  }
  if (off.empty() || stay.empty()) {
    return Status::InvalidArgument("split off some, but not all, of the nominal's records");
  }
  ClericalDecision out;
  store::LinkDecision d;
  d.actor = by.actor;
  d.reason = by.reason;
  d.kind = store::LinkDecisionKind::kCannotLink;
  for (model::PersonRecordId a : off) {
    for (model::PersonRecordId b : stay) {
      d.a = a;
      d.b = b;
      out.links.push_back(d);
    }
  }
  // The records split off are one person together.
  d.kind = store::LinkDecisionKind::kMustLink;
  for (size_t i = 1; i < off.size(); ++i) {
    d.a = off[0];
    d.b = off[i];
    out.links.push_back(d);
  }
  return out;
}

Result<std::vector<int64_t>> RecordClericalDecision(store::Store& store,
                                                    const ClericalDecision& decision) {
  // Synced: the caller is about to tell someone the decision is recorded.
  TRY_ASSIGN(
      std::unique_ptr<store::Transaction> txn,
      store.Begin(store::Store::TransactionMode::kPerCall, store::Store::Durability::kSynced));
  if (decision.review_pair_id) {
    const store::LinkDecision* first = decision.links.empty() ? nullptr : &decision.links.front();
    if (first == nullptr) return Status::InvalidArgument("a review decision needs a link decision");
    TRY(store.DecideReviewPair(*txn, *decision.review_pair_id, decision.review_outcome,
                               first->actor, first->reason));
  }
  std::vector<int64_t> ids;
  for (const store::LinkDecision& d : decision.links) {
    TRY_ASSIGN(int64_t id, store.AddLinkDecision(*txn, d));
    ids.push_back(id);
  }
  TRY(txn->Commit());
  return ids;
}

}  // namespace tessera::resolve
