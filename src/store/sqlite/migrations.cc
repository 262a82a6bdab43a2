#include "store/sqlite/migrations.h"

#include <array>
#include <string>

#include "store/sqlite/audit_db.h"

namespace tessera::store::sqlite {
namespace {

// Conventions of the schema, kept portable to PostgreSQL:
//   - ids are INTEGER PRIMARY KEY (BIGINT GENERATED ... AS IDENTITY there);
//   - times are INTEGER microseconds since the Unix epoch, UTC, in columns named *_at;
//   - dates are ISO 8601 TEXT ("1987-03-14");
//   - booleans are INTEGER 0/1 with a CHECK;
//   - vocabularies (roles, sexes, agencies) are their model names as TEXT, unconstrained, so
//     that a new word does not need a migration;
//   - lists and small structures are JSON TEXT (jsonb there), written and read only by
//     sqlite_store.cc;
//   - bytes that need not be UTF-8 (a quarantined row) are BLOB (bytea there).
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE loads (
  id                INTEGER PRIMARY KEY,
  source_id         TEXT    NOT NULL,
  file              TEXT    NOT NULL,
  file_hash         TEXT    NOT NULL,
  mode              TEXT    NOT NULL CHECK (mode IN ('incremental', 'full_refresh')),
  status            TEXT    NOT NULL CHECK (status IN ('running', 'completed')),
  started_at        INTEGER NOT NULL,
  finished_at       INTEGER,
  read_count        INTEGER NOT NULL DEFAULT 0,
  loaded_count      INTEGER NOT NULL DEFAULT 0,
  unchanged_count   INTEGER NOT NULL DEFAULT 0,
  quarantined_count INTEGER NOT NULL DEFAULT 0,
  deleted_count     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX loads_by_file_hash ON loads (source_id, file_hash, status);

-- Every version of every record a partner sent. Exactly one version per key is current.
CREATE TABLE source_records (
  id           INTEGER PRIMARY KEY,
  source_id    TEXT    NOT NULL,
  record_key   TEXT    NOT NULL,
  version      INTEGER NOT NULL CHECK (version >= 1),
  is_current   INTEGER NOT NULL CHECK (is_current IN (0, 1)),
  is_deleted   INTEGER NOT NULL CHECK (is_deleted IN (0, 1)),
  load_id      INTEGER NOT NULL REFERENCES loads (id),
  file         TEXT    NOT NULL,
  line         INTEGER NOT NULL,
  byte_offset  INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  content_hash TEXT    NOT NULL,
  payload      TEXT    NOT NULL,
  UNIQUE (source_id, record_key, version)
);
CREATE UNIQUE INDEX source_records_current
  ON source_records (source_id, record_key) WHERE is_current = 1;
CREATE INDEX source_records_by_load ON source_records (load_id);

CREATE TABLE locations (
  id                INTEGER PRIMARY KEY,
  match_key         TEXT    NOT NULL UNIQUE,  -- 'uprn:<uprn>' or 'addr:<address>|<postcode>'
  uprn              TEXT    NOT NULL DEFAULT '',
  address_text      TEXT    NOT NULL DEFAULT '',
  postcode          TEXT    NOT NULL DEFAULT '',
  postcode_district TEXT    NOT NULL DEFAULT '',
  small_area        TEXT    NOT NULL DEFAULT '',
  latitude          REAL,
  longitude         REAL,
  no_fixed_abode    INTEGER NOT NULL DEFAULT 0 CHECK (no_fixed_abode IN (0, 1))
);
CREATE INDEX locations_by_postcode ON locations (postcode);
CREATE INDEX locations_by_small_area ON locations (small_area);

-- A person as mentioned by one source record version: standardised, with the raw values.
CREATE TABLE person_records (
  id               INTEGER PRIMARY KEY,
  source_record_id INTEGER NOT NULL REFERENCES source_records (id),
  mention_key      TEXT    NOT NULL,
  role             TEXT    NOT NULL,
  given            TEXT    NOT NULL DEFAULT '',
  middle           TEXT    NOT NULL DEFAULT '',
  family           TEXT    NOT NULL DEFAULT '',
  title            TEXT    NOT NULL DEFAULT '',
  suffix           TEXT    NOT NULL DEFAULT '',
  dob              TEXT,
  sex              TEXT    NOT NULL DEFAULT 'unknown',
  location_id      INTEGER REFERENCES locations (id),
  identifiers      TEXT    NOT NULL DEFAULT '[]',
  phones           TEXT    NOT NULL DEFAULT '[]',
  emails           TEXT    NOT NULL DEFAULT '[]',
  aliases          TEXT    NOT NULL DEFAULT '[]',
  raw              TEXT    NOT NULL DEFAULT '[]',
  flags            TEXT    NOT NULL DEFAULT '[]',
  UNIQUE (source_record_id, mention_key)
);
CREATE INDEX person_records_by_location ON person_records (location_id);

CREATE TABLE events (
  id               INTEGER PRIMARY KEY,
  source_record_id INTEGER NOT NULL REFERENCES source_records (id),
  source_id        TEXT    NOT NULL,
  event_ref        TEXT    NOT NULL,
  type             TEXT    NOT NULL,
  agency           TEXT    NOT NULL,
  category         TEXT    NOT NULL DEFAULT '',
  severity         INTEGER NOT NULL DEFAULT 0 CHECK (severity BETWEEN 0 AND 5),
  event_date       TEXT    NOT NULL,
  location_id      INTEGER REFERENCES locations (id)
);
CREATE INDEX events_by_ref ON events (source_id, event_ref);
CREATE INDEX events_by_source_record ON events (source_record_id);
CREATE INDEX events_by_location ON events (location_id);

CREATE TABLE event_involvements (
  event_id         INTEGER NOT NULL REFERENCES events (id),
  person_record_id INTEGER NOT NULL REFERENCES person_records (id),
  role             TEXT    NOT NULL,
  PRIMARY KEY (event_id, person_record_id, role)
);
CREATE INDEX event_involvements_by_person ON event_involvements (person_record_id);

CREATE TABLE objects (
  id    INTEGER PRIMARY KEY,
  kind  TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (kind, value)
);

CREATE TABLE quarantine (
  id          INTEGER PRIMARY KEY,
  load_id     INTEGER NOT NULL REFERENCES loads (id),
  source_id   TEXT    NOT NULL,
  file        TEXT    NOT NULL,
  line        INTEGER NOT NULL,
  byte_offset INTEGER NOT NULL,
  field       TEXT    NOT NULL DEFAULT '',
  reason      TEXT    NOT NULL,
  raw         BLOB    NOT NULL
);
CREATE INDEX quarantine_by_load ON quarantine (load_id, id);
CREATE INDEX quarantine_by_source ON quarantine (source_id, id);

-- Resolution: golden nominals, which person records make each one, and a feed of changes.
CREATE TABLE nominals (
  id          INTEGER PRIMARY KEY,
  given       TEXT    NOT NULL DEFAULT '',
  middle      TEXT    NOT NULL DEFAULT '',
  family      TEXT    NOT NULL DEFAULT '',
  title       TEXT    NOT NULL DEFAULT '',
  suffix      TEXT    NOT NULL DEFAULT '',
  other_names TEXT    NOT NULL DEFAULT '[]',
  dob         TEXT,
  sex         TEXT    NOT NULL DEFAULT 'unknown',
  identifiers TEXT    NOT NULL DEFAULT '[]',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE nominal_records (
  person_record_id INTEGER PRIMARY KEY REFERENCES person_records (id),
  nominal_id       INTEGER NOT NULL REFERENCES nominals (id),
  attached_at      INTEGER NOT NULL
);
CREATE INDEX nominal_records_by_nominal ON nominal_records (nominal_id);

-- AUTOINCREMENT: a seq is never reused, even after the newest rows are deleted, so a reader's
-- high-water mark stays meaningful.
CREATE TABLE nominal_changes (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  nominal_id INTEGER NOT NULL REFERENCES nominals (id),
  kind       TEXT    NOT NULL,
  at         INTEGER NOT NULL
);

CREATE TABLE household_memberships (
  id           INTEGER PRIMARY KEY,
  household_id INTEGER NOT NULL,
  nominal_id   INTEGER NOT NULL REFERENCES nominals (id),
  location_id  INTEGER NOT NULL REFERENCES locations (id),
  from_date    TEXT,
  to_date      TEXT
);
CREATE INDEX household_memberships_by_household ON household_memberships (household_id);
CREATE INDEX household_memberships_by_nominal ON household_memberships (nominal_id);
)sql";

// Data quality per load (issue 3): what the mapper made of each field, and the mix of event
// categories, written in the load's own transaction.
constexpr std::string_view kLoadQualitySchema = R"sql(
CREATE TABLE load_quality (
  load_id         INTEGER PRIMARY KEY REFERENCES loads (id),
  records         INTEGER NOT NULL,
  flagged_records INTEGER NOT NULL
);

CREATE TABLE load_field_stats (
  load_id     INTEGER NOT NULL REFERENCES loads (id),
  position    INTEGER NOT NULL,
  attribute   TEXT    NOT NULL,
  field       TEXT    NOT NULL,
  records     INTEGER NOT NULL,
  present     INTEGER NOT NULL,
  valid       INTEGER NOT NULL,
  flagged     INTEGER NOT NULL,
  placeholder INTEGER NOT NULL,
  PRIMARY KEY (load_id, position)
);

CREATE TABLE load_category_counts (
  load_id  INTEGER NOT NULL REFERENCES loads (id),
  category TEXT    NOT NULL,
  count    INTEGER NOT NULL,
  PRIMARY KEY (load_id, category)
);
)sql";

// The audit log (issue 5 groundwork): append-only, hash-chained events. The triggers make an
// UPDATE or DELETE through SQL fail, so editing the log takes dropping a trigger first, which
// is itself a schema change; VerifyAudit catches edits made that way (the hash chain does not
// depend on the triggers). seq is assigned by the store as the previous seq + 1, so a gap is
// visible too. purpose is '' until issue 5 brings purposes.
constexpr std::string_view kAuditSchema = R"sql(
CREATE TABLE audit_events (
  seq           INTEGER PRIMARY KEY CHECK (seq >= 1),
  at            INTEGER NOT NULL,
  actor         TEXT    NOT NULL,
  action        TEXT    NOT NULL,
  purpose       TEXT    NOT NULL,
  justification TEXT    NOT NULL,
  resource      TEXT    NOT NULL,
  detail        TEXT    NOT NULL,
  prev_hash     TEXT    NOT NULL,
  hash          TEXT    NOT NULL
);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only: events cannot be changed');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only: events cannot be deleted');
END;
)sql";

// Resolution state (issue 4): nominal status and merge redirects, the lineage of merges,
// splits and retirements, the clerical review queue, the human link decisions the resolver
// must respect, and the resolver's own bookkeeping.
//
// ALTER TABLE ... ADD COLUMN keeps the existing nominals (all of them live). merged_into is
// the nominal that absorbed this one directly; following it to a live nominal is the store's
// job (ResolveNominalId), so a chain A -> B -> C keeps its history. Partial indexes keep the
// common cases cheap: few nominals are not live, and few source record versions are retired
// (not current, or tombstones), so counting live nominals and finding retired assignments do
// not scan everything.
constexpr std::string_view kResolutionSchema = R"sql(
ALTER TABLE nominals ADD COLUMN status TEXT NOT NULL DEFAULT 'live'
  CHECK (status IN ('live', 'merged', 'retired'));
ALTER TABLE nominals ADD COLUMN merged_into INTEGER REFERENCES nominals (id);
CREATE INDEX nominals_not_live ON nominals (status) WHERE status <> 'live';

CREATE INDEX source_records_retired ON source_records (id)
  WHERE is_current = 0 OR is_deleted = 1;

-- kind 'merged': from_nominal was absorbed by to_nominal; 'split': to_nominal took records
-- of from_nominal; 'retired': from_nominal was retired (to_nominal NULL).
CREATE TABLE nominal_lineage (
  seq          INTEGER PRIMARY KEY,
  kind         TEXT    NOT NULL CHECK (kind IN ('merged', 'split', 'retired')),
  from_nominal INTEGER NOT NULL REFERENCES nominals (id),
  to_nominal   INTEGER REFERENCES nominals (id),
  reason       TEXT    NOT NULL,
  at           INTEGER NOT NULL
);
CREATE INDEX nominal_lineage_by_from ON nominal_lineage (from_nominal);
CREATE INDEX nominal_lineage_by_to ON nominal_lineage (to_nominal);

CREATE TABLE review_pairs (
  id           INTEGER PRIMARY KEY,
  record_a     INTEGER NOT NULL REFERENCES person_records (id),
  record_b     INTEGER NOT NULL REFERENCES person_records (id),
  probability  REAL    NOT NULL CHECK (probability BETWEEN 0 AND 1),
  match_weight REAL    NOT NULL,
  status       TEXT    NOT NULL CHECK (status IN ('open', 'accepted', 'rejected', 'stale')),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  decided_by   TEXT    NOT NULL DEFAULT '',
  reason       TEXT    NOT NULL DEFAULT '',
  decided_at   INTEGER,
  CHECK (record_a < record_b),
  UNIQUE (record_a, record_b)
);
CREATE INDEX review_pairs_by_status ON review_pairs (status, id);

-- Append-only: a new decision on a pair supersedes the earlier ones, which stay as history.
CREATE TABLE link_decisions (
  id             INTEGER PRIMARY KEY,
  record_a       INTEGER NOT NULL REFERENCES person_records (id),
  record_b       INTEGER NOT NULL REFERENCES person_records (id),
  kind           TEXT    NOT NULL CHECK (kind IN ('must_link', 'cannot_link')),
  actor          TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  at             INTEGER NOT NULL,
  review_pair_id INTEGER REFERENCES review_pairs (id),
  CHECK (record_a < record_b)
);
CREATE INDEX link_decisions_by_pair ON link_decisions (record_a, record_b);

CREATE TABLE resolver_state (
  key        TEXT    PRIMARY KEY,
  value      TEXT    NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql";

// Households (issue 4): a household is people living at one address over one period, found by
// household resolution (src/resolve/households.h) from the nominals' dated address evidence
// and the family links in events. A household keeps its id across runs while its address and
// most of its members stay the same; one that is no longer found is dissolved, not deleted,
// so that its id still reads (AUTOINCREMENT: an id is never reused).
//
// household_memberships came with migration 1, but nothing wrote it before this version; it is
// made again with a reference to its household and one row per member, so the table is
// dropped, not altered (SQLite cannot add a foreign key to an existing table).
constexpr std::string_view kHouseholdSchema = R"sql(
CREATE TABLE households (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  location_id INTEGER NOT NULL REFERENCES locations (id),
  from_date   TEXT,
  to_date     TEXT,
  status      TEXT    NOT NULL CHECK (status IN ('live', 'dissolved')),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX households_by_location ON households (location_id, status);

DROP TABLE household_memberships;
CREATE TABLE household_memberships (
  household_id INTEGER NOT NULL REFERENCES households (id),
  nominal_id   INTEGER NOT NULL REFERENCES nominals (id),
  from_date    TEXT,
  to_date      TEXT,
  PRIMARY KEY (household_id, nominal_id)
);
CREATE INDEX household_memberships_by_nominal ON household_memberships (nominal_id);
)sql";

// Identity (issue 5): the hub's users and their roles, password hashes, sessions and login
// failures (src/govern/identity.h, docs/design/0008-identity.md). A password is kept only as its
// encoded Argon2id hash, in a table of its own so that reading users never reads it; a session
// only as the SHA-256 of its token. Sessions are revoked, never deleted, so that "who was logged
// in when" stays answerable; users are disabled, never deleted, because the audit log names
// them (AUTOINCREMENT: an id is never reused).
constexpr std::string_view kIdentitySchema = R"sql(
CREATE TABLE users (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  username         TEXT    NOT NULL,
  username_key     TEXT    NOT NULL UNIQUE,
  display_name     TEXT    NOT NULL,
  agency           TEXT    NOT NULL,
  trained_on       TEXT    NOT NULL,
  training_expires TEXT    NOT NULL,
  enabled          INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  disabled_reason  TEXT    NOT NULL DEFAULT '',
  failed_logins    INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until     INTEGER,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);

CREATE TABLE user_roles (
  user_id INTEGER NOT NULL REFERENCES users (id),
  role    TEXT    NOT NULL,
  PRIMARY KEY (user_id, role)
);

CREATE TABLE user_passwords (
  user_id       INTEGER PRIMARY KEY REFERENCES users (id),
  password_hash TEXT    NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash    TEXT    NOT NULL UNIQUE,
  user_id       INTEGER NOT NULL REFERENCES users (id),
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  revoked_at    INTEGER,
  revoke_reason TEXT    NOT NULL DEFAULT '',
  CHECK (expires_at > created_at)
);
CREATE INDEX sessions_by_user ON sessions (user_id, id);
)sql";

// Governance (issue 5): the purposes catalogue, versioned information-sharing agreements,
// restrictions (the forbids that beat any permit) and break-glass grants. An agreement version
// is never changed: a change is a new version, and the highest version of a code is the one in
// force. body is the agreement as JSON (govern/agreements.h reads and writes it). A restriction
// is lifted, never deleted, so what was forbidden when stays answerable. governance_version is
// bumped by every change here, so a policy engine knows when its cached rules are stale.
constexpr std::string_view kGovernanceSchema = R"sql(
CREATE TABLE purposes (
  code        TEXT    PRIMARY KEY,
  name        TEXT    NOT NULL,
  description TEXT    NOT NULL DEFAULT '',
  active      INTEGER NOT NULL CHECK (active IN (0, 1)),
  updated_by  TEXT    NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE agreements (
  code       TEXT    NOT NULL,
  version    INTEGER NOT NULL CHECK (version >= 1),
  tier       INTEGER NOT NULL CHECK (tier IN (1, 2)),
  body       TEXT    NOT NULL,
  author     TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (code, version)
);

CREATE TABLE restrictions (
  id          INTEGER PRIMARY KEY,
  kind        TEXT    NOT NULL CHECK (kind IN ('sealed', 'objection', 'field_exclusion')),
  target      TEXT    NOT NULL CHECK (target IN ('nominal', 'record', 'dataset')),
  nominal_id  INTEGER NOT NULL DEFAULT 0,
  source_id   TEXT    NOT NULL DEFAULT '',
  record_key  TEXT    NOT NULL DEFAULT '',
  fields      TEXT    NOT NULL DEFAULT '[]',
  purposes    TEXT    NOT NULL DEFAULT '[]',
  reason      TEXT    NOT NULL,
  created_by  TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  lifted_by   TEXT    NOT NULL DEFAULT '',
  lifted_at   INTEGER,
  lift_reason TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX restrictions_in_force ON restrictions (id) WHERE lifted_at IS NULL;

CREATE TABLE break_glass (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users (id),
  session_id INTEGER NOT NULL REFERENCES sessions (id),
  purpose    TEXT    NOT NULL,
  reason     TEXT    NOT NULL,
  started_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ended_at   INTEGER
);
CREATE INDEX break_glass_by_session ON break_glass (session_id);

CREATE TABLE governance_state (
  key   TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO governance_state (key, value) VALUES ('governance_version', 0);
)sql";

// Structured audit events (issue 5): who (agency, role), under which agreement, with what
// outcome, and what was seen (nominal ids and source record version ids, JSON arrays), hashed
// with encoding 2; events written before keep encoding 1 and verify as they were. Keyed
// checkpoints vouch for the chain's head (docs/design/0006-audit-log.md). audit_subjects
// indexes events by the nominals they name ("who has seen this person"), written in the
// append's transaction from the event's nominals and checked against them by VerifyAudit.
constexpr std::string_view kAuditV2Schema = R"sql(
ALTER TABLE audit_events ADD COLUMN agency    TEXT    NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN role      TEXT    NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN agreement TEXT    NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN outcome   TEXT    NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN nominals  TEXT    NOT NULL DEFAULT '[]';
ALTER TABLE audit_events ADD COLUMN records   TEXT    NOT NULL DEFAULT '[]';
ALTER TABLE audit_events ADD COLUMN encoding  INTEGER NOT NULL DEFAULT 1;
CREATE INDEX audit_events_by_at ON audit_events (at);
CREATE INDEX audit_events_by_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_by_agency ON audit_events (agency, seq);

CREATE TABLE audit_subjects (
  nominal_id INTEGER NOT NULL,
  seq        INTEGER NOT NULL REFERENCES audit_events (seq),
  PRIMARY KEY (nominal_id, seq)
) WITHOUT ROWID;
CREATE INDEX audit_subjects_by_seq ON audit_subjects (seq);

CREATE TABLE audit_checkpoints (
  seq  INTEGER PRIMARY KEY REFERENCES audit_events (seq),
  hash TEXT    NOT NULL,
  mac  TEXT    NOT NULL,
  at   INTEGER NOT NULL
);

CREATE TRIGGER audit_subjects_no_update BEFORE UPDATE ON audit_subjects
BEGIN
  SELECT RAISE(ABORT, 'audit_subjects is append-only: rows cannot be changed');
END;
CREATE TRIGGER audit_subjects_no_delete BEFORE DELETE ON audit_subjects
BEGIN
  SELECT RAISE(ABORT, 'audit_subjects is append-only: rows cannot be deleted');
END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only: checkpoints cannot be changed');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only: checkpoints cannot be deleted');
END;
)sql";

// Service accounts (issue 5, push ingest): the one source a service account may push to.
constexpr std::string_view kServiceAccountSchema = R"sql(
ALTER TABLE users ADD COLUMN bound_source TEXT NOT NULL DEFAULT '';
)sql";

// Geocoding: how closely a location's coordinates place it when a gazetteer gave them from the
// postcode ("postcode", "sector", "district", "area"; '' when there are none or they came some
// other way), so that a map can draw a district centroid as the area it is.
constexpr std::string_view kGeoPrecisionSchema = R"sql(
ALTER TABLE locations ADD COLUMN geo_precision TEXT NOT NULL DEFAULT '';
)sql";

// The risk model registry (issue 7): one row per saved model version, with its training data
// hash, parameters and metrics, and its approval state. Scores are shown only from an
// approved version; "disabled" is the kill switch.
constexpr std::string_view kRiskModelSchema = R"sql(
CREATE TABLE risk_models (
  version              TEXT    PRIMARY KEY,
  outcome              TEXT    NOT NULL,
  training_data_sha256 TEXT    NOT NULL,
  metadata             TEXT    NOT NULL,
  state                TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'disabled')),
  created_at           INTEGER NOT NULL,
  decided_by           TEXT    NOT NULL DEFAULT '',
  decided_at           INTEGER NOT NULL DEFAULT 0,
  reason               TEXT    NOT NULL DEFAULT ''
) STRICT;
)sql";

// Scores, decisions and cohorts (issue 7): a version's stored batch of scores with their
// explanations; practitioners' decisions on shown scores; cohort definitions and their runs,
// each run's ranked membership kept so that membership can be followed over time. A run records
// the scope (purpose, agreements, restrictions) it was computed under.
constexpr std::string_view kScoresAndCohortsSchema = R"sql(
CREATE TABLE risk_scores (
  version     TEXT    NOT NULL REFERENCES risk_models (version),
  nominal_id  INTEGER NOT NULL,
  as_of       TEXT    NOT NULL,
  probability REAL    NOT NULL,
  margin      REAL    NOT NULL,
  rank        INTEGER NOT NULL,
  explanation TEXT    NOT NULL,
  scored_at   INTEGER NOT NULL,
  PRIMARY KEY (version, nominal_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE risk_decisions (
  id          INTEGER PRIMARY KEY,
  nominal_id  INTEGER NOT NULL,
  version     TEXT    NOT NULL,
  probability REAL    NOT NULL,
  decision    TEXT    NOT NULL CHECK (decision IN ('agree', 'disagree', 'action')),
  reason      TEXT    NOT NULL,
  actor       TEXT    NOT NULL,
  agency      TEXT    NOT NULL,
  purpose     TEXT    NOT NULL,
  decided_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX risk_decisions_by_nominal ON risk_decisions (nominal_id, id);
CREATE TABLE cohorts (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  description TEXT    NOT NULL DEFAULT '',
  definition  TEXT    NOT NULL,
  owner       TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;
CREATE TABLE cohort_runs (
  id          INTEGER PRIMARY KEY,
  cohort_id   INTEGER NOT NULL REFERENCES cohorts (id),
  run_at      INTEGER NOT NULL,
  as_of       TEXT    NOT NULL,
  actor       TEXT    NOT NULL,
  scope       TEXT    NOT NULL,
  definition  TEXT    NOT NULL,
  members     INTEGER NOT NULL
) STRICT;
CREATE INDEX cohort_runs_by_cohort ON cohort_runs (cohort_id, scope, id);
CREATE TABLE cohort_members (
  run_id      INTEGER NOT NULL REFERENCES cohort_runs (id),
  rank        INTEGER NOT NULL,
  nominal_id  INTEGER NOT NULL,
  score       REAL,
  reasons     TEXT    NOT NULL,
  PRIMARY KEY (run_id, rank)
) STRICT, WITHOUT ROWID;
)sql";

// How many scores each version has stored and as of which day, kept with the registry entry so
// that "rank 12 of 293,933" does not count a version's scores on every read.
constexpr std::string_view kScoreBatchSchema = R"sql(
ALTER TABLE risk_models ADD COLUMN scores INTEGER NOT NULL DEFAULT 0;
ALTER TABLE risk_models ADD COLUMN scores_as_of TEXT NOT NULL DEFAULT '';
UPDATE risk_models SET
  scores = (SELECT count(*) FROM risk_scores s WHERE s.version = risk_models.version),
  scores_as_of = coalesce((SELECT min(as_of) FROM risk_scores s
                           WHERE s.version = risk_models.version), '');
)sql";

// The nominal index in a layout whose writes stay local as the log grows (docs/design/
// 0006-audit-log.md, "The nominal index"). Keyed (nominal_id, seq), every append inserted one row
// per nominal into a page picked by the nominal, so each group commit rewrote ~6 pages per event
// all over an index that grows with the log (measured: docs/benchmarks.md). Now:
//   - audit_subjects is keyed (seq, nominal_id): the append's rows go at the end of the tree;
//   - audit_nominal_index (period, nominal_id, seq) holds the same rows for each sealed period
//     (audit_periods: a range of seqs), written once, in key order, by the append that closes
//     the period: the rows of a new period also go at the end of the tree;
//   - a read by nominal probes each sealed period and scans the open one (seqs after the last
//     sealed period) in audit_subjects.
// The events already in the log become period 1, copied in the order the old key kept them in,
// so the migration sorts nothing however large the log is. A read by nominal also follows
// merges (nominals whose merged_into leads to it): without an index on merged_into SQLite built
// one over every nominal for each such read (0.2 s at a million nominals); the partial index
// holds merged nominals only.
constexpr std::string_view kAuditPeriodsSchema = R"sql(
CREATE TABLE audit_subjects_by_seq_v14 (
  seq        INTEGER NOT NULL REFERENCES audit_events (seq),
  nominal_id INTEGER NOT NULL,
  PRIMARY KEY (seq, nominal_id)
) WITHOUT ROWID;
INSERT INTO audit_subjects_by_seq_v14 (seq, nominal_id)
  SELECT seq, nominal_id FROM audit_subjects ORDER BY seq, nominal_id;

CREATE TABLE audit_periods (
  period    INTEGER PRIMARY KEY CHECK (period >= 1),
  first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
  last_seq  INTEGER NOT NULL,
  CHECK (last_seq >= first_seq)
);
CREATE TABLE audit_nominal_index (
  period     INTEGER NOT NULL,
  nominal_id INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  PRIMARY KEY (period, nominal_id, seq)
) WITHOUT ROWID;
INSERT INTO audit_periods (period, first_seq, last_seq)
  SELECT 1, 1, seq FROM audit_events ORDER BY seq DESC LIMIT 1;
INSERT INTO audit_nominal_index (period, nominal_id, seq)
  SELECT 1, nominal_id, seq FROM audit_subjects ORDER BY nominal_id, seq;

DROP TABLE audit_subjects;
ALTER TABLE audit_subjects_by_seq_v14 RENAME TO audit_subjects;

CREATE INDEX nominals_by_merged_into ON nominals (merged_into) WHERE merged_into IS NOT NULL;

CREATE TRIGGER audit_subjects_no_update BEFORE UPDATE ON audit_subjects
BEGIN
  SELECT RAISE(ABORT, 'audit_subjects is append-only: rows cannot be changed');
END;
CREATE TRIGGER audit_subjects_no_delete BEFORE DELETE ON audit_subjects
BEGIN
  SELECT RAISE(ABORT, 'audit_subjects is append-only: rows cannot be deleted');
END;
CREATE TRIGGER audit_periods_no_update BEFORE UPDATE ON audit_periods
BEGIN
  SELECT RAISE(ABORT, 'audit_periods is append-only: periods cannot be changed');
END;
CREATE TRIGGER audit_periods_no_delete BEFORE DELETE ON audit_periods
BEGIN
  SELECT RAISE(ABORT, 'audit_periods is append-only: periods cannot be deleted');
END;
CREATE TRIGGER audit_nominal_index_no_update BEFORE UPDATE ON audit_nominal_index
BEGIN
  SELECT RAISE(ABORT, 'audit_nominal_index is append-only: rows cannot be changed');
END;
CREATE TRIGGER audit_nominal_index_no_delete BEFORE DELETE ON audit_nominal_index
BEGIN
  SELECT RAISE(ABORT, 'audit_nominal_index is append-only: rows cannot be deleted');
END;
)sql";

// The audit log moves to its own file, HUB/audit.db (store/sqlite/audit_db.h): its commits then
// no longer empty the page cache of every connection reading hub.db. The rows are copied by
// MoveAuditLogToAuditDb and checked by CheckAuditLogMoved before these drops. Children first, so
// that no drop has to check foreign keys row by row.
constexpr std::string_view kAuditMovedOutSchema = R"sql(
DROP TABLE main.audit_nominal_index;
DROP TABLE main.audit_periods;
DROP TABLE main.audit_checkpoints;
DROP TABLE main.audit_subjects;
DROP TABLE main.audit_events;
)sql";

// A load writes two B-trees fewer (issue 3): no query reads source records by load, and an
// involvement, three small columns that are all its key, is stored as that key alone.
constexpr std::string_view kLeanerLoadSchema = R"sql(
DROP INDEX source_records_by_load;
CREATE TABLE event_involvements_keyed (
  event_id         INTEGER NOT NULL REFERENCES events (id),
  person_record_id INTEGER NOT NULL REFERENCES person_records (id),
  role             TEXT    NOT NULL,
  PRIMARY KEY (event_id, person_record_id, role)
) WITHOUT ROWID;
INSERT INTO event_involvements_keyed (event_id, person_record_id, role)
  SELECT event_id, person_record_id, role FROM event_involvements ORDER BY 1, 2, 3;
DROP INDEX event_involvements_by_person;
DROP TABLE event_involvements;
ALTER TABLE event_involvements_keyed RENAME TO event_involvements;
CREATE INDEX event_involvements_by_person ON event_involvements (person_record_id);
)sql";

constexpr std::array<Migration, 16> kMigrations = {{
    {1,
     "initial POLE schema: loads, source records, people, locations, events, objects, "
     "quarantine, nominals and their change feed, households",
     kInitialSchema},
    {2, "data quality per load: field statistics and event category counts", kLoadQualitySchema},
    {3, "audit log: append-only, hash-chained audit events", kAuditSchema},
    {4,
     "resolution state: nominal status and merge redirects, lineage, clerical review, link "
     "decisions, resolver bookkeeping",
     kResolutionSchema},
    {5, "households: households with stable ids, their address, period and members",
     kHouseholdSchema},
    {6, "identity: users and their roles, password hashes, sessions, login failures",
     kIdentitySchema},
    {7, "governance: purposes catalogue, versioned sharing agreements, restrictions, break-glass",
     kGovernanceSchema},
    {8,
     "structured audit events (encoding 2): agency, role, agreement, outcome, nominals and "
     "records seen; keyed checkpoints; the nominal index",
     kAuditV2Schema},
    {9, "service accounts: the source a service account is bound to", kServiceAccountSchema},
    {10, "locations: the precision of gazetteer coordinates", kGeoPrecisionSchema},
    {11, "risk model registry: versions, training data hash, metrics, approval state",
     kRiskModelSchema},
    {12, "risk scores, practitioners' decisions, cohorts and their runs", kScoresAndCohortsSchema},
    {13, "risk model registry: the size and day of each version's stored scores",
     kScoreBatchSchema},
    {14,
     "audit log: the nominal index in log order, with a sealed index per period of seqs, so "
     "that appends write locally; merged nominals indexed by the nominal they merged into",
     kAuditPeriodsSchema},
    {kAuditDbSchemaVersion,
     "audit log: moved to its own file, audit.db, so that its commits leave the page caches of "
     "hub.db's readers alone",
     kAuditMovedOutSchema, MoveAuditLogToAuditDb, CheckAuditLogMoved},
    {16,
     "loads: no index of source records by load (nothing read it); involvements stored as "
     "their key (WITHOUT ROWID)",
     kLeanerLoadSchema},
}};

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version     INTEGER PRIMARY KEY,"
    " applied_at  INTEGER NOT NULL,"
    " description TEXT    NOT NULL)";

Result<bool> HasMigrationsTable(Connection& connection) {
  TRY_ASSIGN(int64_t count,
             connection.QueryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                 "name = 'schema_migrations'",
                                 "reading the schema version"));
  return count > 0;
}

Status CheckNotNewer(int version) {
  if (version > LatestSchemaVersion()) {
    return Status::FailedPrecondition("the hub's schema is version " + std::to_string(version) +
                                      ", newer than this version of tessera understands (" +
                                      std::to_string(LatestSchemaVersion()) +
                                      "): upgrade tessera to open it");
  }
  return Status::Ok();
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations.back().version; }

Result<int> ReadSchemaVersion(Connection& connection) {
  TRY_ASSIGN(int64_t application_id,
             connection.QueryInt("PRAGMA application_id", "reading the application id"));
  TRY_ASSIGN(bool has_table, HasMigrationsTable(connection));
  if (!has_table) {
    TRY_ASSIGN(int64_t tables, connection.QueryInt("SELECT count(*) FROM sqlite_schema",
                                                   "reading the schema version"));
    if (application_id != 0 || tables != 0) {
      return Status::FailedPrecondition(
          "the database is not a Tessera store (it has no schema_migrations table)");
    }
    return 0;
  }
  if (application_id != kApplicationId) {
    return Status::FailedPrecondition("the database is not a Tessera store (application id " +
                                      std::to_string(application_id) + ")");
  }
  TRY_ASSIGN(int64_t version,
             connection.QueryInt("SELECT coalesce(max(version), 0) FROM schema_migrations",
                                 "reading the schema version"));
  return static_cast<int>(version);
}

Status CheckMigratable(int version, bool apply) {
  TRY(CheckNotNewer(version));
  if (version < LatestSchemaVersion() && !apply) {
    return Status::FailedPrecondition(
        "the hub's schema is version " + std::to_string(version) + "; this tessera needs " +
        std::to_string(LatestSchemaVersion()) + ": open it with migrations enabled to upgrade");
  }
  return Status::Ok();
}

Result<int> Migrate(Connection& connection, Connection& audit, const std::string& hub_path,
                    const Clock& clock, bool apply) {
  TRY_ASSIGN(int version, ReadSchemaVersion(connection));
  TRY(CheckMigratable(version, apply));
  if (version == LatestSchemaVersion()) return version;

  if (version == 0) {
    Status created = InWriteTransaction(connection, "creating schema_migrations", [&] {
      Status status = connection.Exec(kCreateMigrationsTable, "creating schema_migrations");
      if (!status.ok()) return status;
      return connection.Exec("PRAGMA application_id = " + std::to_string(kApplicationId),
                             "setting the application id");
    });
    TRY(created);
  }

  for (const Migration& migration : kMigrations) {
    std::string operation = "applying schema migration " + std::to_string(migration.version) +
                            " (" + std::string(migration.description) + ")";
    if (migration.on_audit_db != nullptr) {
      TRY_ASSIGN(int current, ReadSchemaVersion(connection));
      if (current < migration.version) {
        if (Status prepared = migration.on_audit_db(audit, hub_path); !prepared.ok()) {
          return Status(prepared.code(), operation + ": " + prepared.message());
        }
      }
    }
    Status applied = InWriteTransaction(connection, operation, [&]() -> Status {
      // Another process may have migrated while this one waited for the write lock.
      TRY_ASSIGN(int current, ReadSchemaVersion(connection));
      TRY(CheckNotNewer(current));
      if (current >= migration.version) return Status::Ok();
      if (current != migration.version - 1) {
        return Status::Corruption(operation + ": the hub is at version " + std::to_string(current) +
                                  ", not the one before");
      }
      if (migration.check != nullptr) TRY(migration.check(connection));
      TRY(connection.Exec(migration.sql, operation));
      TRY_ASSIGN(auto insert, connection.Prepare("INSERT INTO schema_migrations (version, "
                                                 "applied_at, description) VALUES (?1, ?2, ?3)",
                                                 operation));
      insert.Bind(1, migration.version).Bind(2, clock.NowMicros()).Bind(3, migration.description);
      return insert.Run();
    });
    TRY(applied);
  }
  return ReadSchemaVersion(connection);
}

}  // namespace tessera::store::sqlite
