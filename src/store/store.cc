#include "store/store.h"

namespace tessera::store {

std::string_view LoadModeName(LoadMode mode) {
  switch (mode) {
    case LoadMode::kIncremental:
      return "incremental";
    case LoadMode::kFullRefresh:
      return "full_refresh";
  }
  return "unknown";
}

std::optional<LoadMode> LoadModeFromName(std::string_view name) {
  for (LoadMode mode : {LoadMode::kIncremental, LoadMode::kFullRefresh}) {
    if (LoadModeName(mode) == name) return mode;
  }
  return std::nullopt;
}

std::string_view LoadStatusName(LoadStatus status) {
  switch (status) {
    case LoadStatus::kRunning:
      return "running";
    case LoadStatus::kCompleted:
      return "completed";
  }
  return "unknown";
}

std::string_view RecordChangeName(RecordChange change) {
  switch (change) {
    case RecordChange::kInserted:
      return "inserted";
    case RecordChange::kUpdated:
      return "updated";
    case RecordChange::kUnchanged:
      return "unchanged";
    case RecordChange::kDeleted:
      return "deleted";
  }
  return "unknown";
}

std::string_view NominalChangeKindName(NominalChangeKind kind) {
  switch (kind) {
    case NominalChangeKind::kCreated:
      return "created";
    case NominalChangeKind::kUpdated:
      return "updated";
    case NominalChangeKind::kRecordsChanged:
      return "records_changed";
    case NominalChangeKind::kMerged:
      return "merged";
    case NominalChangeKind::kSplit:
      return "split";
    case NominalChangeKind::kRetired:
      return "retired";
  }
  return "unknown";
}

std::string_view NominalStatusName(NominalStatus status) {
  switch (status) {
    case NominalStatus::kLive:
      return "live";
    case NominalStatus::kMerged:
      return "merged";
    case NominalStatus::kRetired:
      return "retired";
  }
  return "unknown";
}

std::string_view ReviewStatusName(ReviewStatus status) {
  switch (status) {
    case ReviewStatus::kOpen:
      return "open";
    case ReviewStatus::kAccepted:
      return "accepted";
    case ReviewStatus::kRejected:
      return "rejected";
    case ReviewStatus::kStale:
      return "stale";
  }
  return "unknown";
}

std::string_view LinkDecisionKindName(LinkDecisionKind kind) {
  switch (kind) {
    case LinkDecisionKind::kMustLink:
      return "must_link";
    case LinkDecisionKind::kCannotLink:
      return "cannot_link";
  }
  return "unknown";
}

}  // namespace tessera::store
