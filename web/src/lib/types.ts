// Shapes of the /api/v1 responses the pages read (docs/api/openapi.json describes them all;
// src/view/view.h documents the person, household and address views field by field).

export interface User {
  username: string;
  display_name: string;
  agency: string;
  roles: string[];
  trained_on?: string;
  training_expires?: string;
}

export interface PurposeOption {
  code: string;
  name: string;
  agreements: string[];
}

export interface BreakGlass {
  purpose: string;
  reason: string;
  expires_at: string;
}

export interface SessionStatus {
  user: User;
  trained: boolean;
  expires_at: string;
  idle_expires_at: string;
  idle_timeout_seconds: number;
  purposes: PurposeOption[];
  break_glass: BreakGlass | null;
}

export interface Withheld {
  total: number;
  by_reason: { reason: string; count: number }[] | Record<string, number>;
}

export interface SearchResult {
  nominal_id: number;
  display_name: string;
  dob?: string;
  sex?: string;
  postcode?: string;
  score: number;
  why: string;
  reasons: string[];
  records: number[];
  visible_records: number;
}

export interface SearchResponse {
  purpose: string;
  results: SearchResult[];
  total?: number;
  withheld?: Withheld;
  query?: unknown;
}

export interface LocationRef {
  location_id: number;
  address?: string;
  postcode?: string;
  uprn?: string;
  lat?: number;
  lon?: number;
}

export interface Provenance {
  agency: string;
  dataset: string;
  person_record_id: number;
  received_at: string;
  record_key: string;
  source_id: string;
  source_record_id: number;
  version: number;
}

export interface AttributeValue<T = unknown> {
  value: T;
  records: number;
  sources: string[];
  last_seen?: string;
  last_received_at?: string;
  provenance?: Provenance[];
}

export interface Attribute<T = unknown> {
  best: AttributeValue<T> | null;
  conflict: boolean;
  rule: string;
  values: AttributeValue<T>[];
}

export interface PersonName {
  display: string;
  given: string;
  middle: string;
  family: string;
  title: string;
  suffix: string;
}

export interface Identifier {
  kind: string;
  value: string;
  valid?: boolean;
}

// A source record as the views give it (src/view/dossier.cc RecordJson): its provenance, and
// the fields the user's agreements share; the rest are named in withheld_fields.
export interface PersonRecord {
  person_record_id: number;
  source_record_id: number;
  source_id: string;
  agency: string;
  dataset: string;
  record_key: string;
  version: number;
  received_at: string;
  deleted: boolean;
  role: string;
  events: number;
  fields: {
    name?: PersonName;
    aliases?: PersonName[];
    dob?: string;
    sex?: string;
    nhs_number?: { value: string; valid: boolean };
    identifiers?: Identifier[];
    address?: LocationRef;
    phones?: string[];
    emails?: string[];
    raw?: Record<string, string>;
  };
  withheld_fields: string[];
}

export interface HouseholdSummary {
  household_id: number;
  location?: LocationRef;
  first_seen?: string;
  last_seen?: string;
  dissolved: boolean;
  members: HouseholdMember[];
  members_withheld: number;
}

export interface AgencyInvolved {
  agency: string;
  latest: string;
  events: number;
}

export interface Freshness {
  source_id: string;
  dataset: string;
  agency: string;
  data_current_to: string | null;
  expected_every_hours: number | null;
  late: boolean;
}

export interface Profile {
  nominal_id: number;
  status: "live" | "retired";
  attributes: {
    name: Attribute<PersonName>;
    other_names: Attribute<PersonName>;
    dob: Attribute<string>;
    sex: Attribute<string>;
    nhs_number: Attribute<string>;
    identifiers: Attribute<Identifier>;
    address: Attribute<LocationRef>;
    phones: Attribute<string>;
    emails: Attribute<string>;
  };
  conflicts: string[];
  withheld_fields: string[];
  records: PersonRecord[];
  withheld: Withheld;
  households: HouseholdSummary[];
  address_history: {
    location: LocationRef;
    first_seen?: string;
    last_seen?: string;
    records: number;
    sources: string[];
  }[];
  associates: {
    nominal_id: number;
    name: string;
    shared_events: number;
    last_shared?: string;
    relationships: { own_role: string; their_role: string; count: number }[];
  }[];
  agencies_involved: AgencyInvolved[];
  freshness: Freshness[];
  alerts: { kind: string; source_id: string; message: string }[];
}

export interface TimelineEvent {
  event_id: number;
  agency: string;
  dataset: string;
  source_id: string;
  source_record_id: number;
  type: string;
  category: string;
  date?: string;
  severity?: number;
  location?: LocationRef;
  reference?: string;
  roles: string[];
  withheld_fields: string[];
  nominal_ids?: number[];
}

export interface Timeline {
  nominal_id: number;
  events: TimelineEvent[];
  total: number;
  withheld: Withheld;
}

export interface GraphNode {
  id: string;
  kind: "nominal" | "household" | "address";
  label: string;
  focus: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: "member_of" | "lived_at" | "associate" | "located_at";
  events?: number;
  first_seen?: string;
  last_seen?: string;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface MapPoint {
  lat: number;
  lon: number;
  location_id: number;
  postcode?: string;
  kind: "address" | "event";
  precision?: string;
  first_seen?: string;
  last_seen?: string;
  date?: string;
  event_id?: number;
  type?: string;
}

export interface MapPoints {
  points: MapPoint[];
}

// ---- Governance pages (agreements, purposes, restrictions, audit, usage, viewers) ----

export interface Purpose {
  code: string;
  name: string;
  description: string;
  active: boolean;
  updated_by: string;
  updated_at: string;
}

export interface AgreementDataset {
  source: string;
  fields: string[];
}

export interface AgreementRecipient {
  agency: string;
  roles: string[];
}

// An agreement's own terms, as an officer writes them (docs/formats/agreements.md keys).
export interface AgreementTerms {
  code: string;
  tier: 1 | 2;
  title: string;
  status: "active" | "suspended" | "withdrawn";
  legal_gateway: string;
  valid_from: string;
  valid_to: string;
  parties?: string[];
  parent?: string;
  purpose?: string;
  retention_days?: number;
  datasets?: AgreementDataset[];
  recipients?: AgreementRecipient[];
  nominated_users?: string[];
}

// One version of an agreement as the API returns it: its terms, plus version, author,
// created_at; in_force on the list only.
export interface Agreement extends AgreementTerms {
  version: number;
  author: string;
  created_at: string;
  in_force?: boolean;
}

export interface AgreementDetail {
  current: Agreement;
  versions: Agreement[];
}

export interface Restriction {
  id: number;
  kind: "sealed" | "objection" | "field_exclusion";
  target: "nominal" | "record" | "dataset";
  nominal_id?: number;
  source_id?: string;
  record_key?: string;
  fields: string[];
  purposes: string[];
  reason: string;
  created_by: string;
  created_at: string;
  lifted: boolean;
  lifted_by?: string;
  lifted_at?: string;
  lift_reason?: string;
}

export interface AuditEvent {
  seq: number;
  at: string;
  actor: string;
  agency: string;
  role: string;
  action: string;
  purpose: string;
  justification: string;
  agreement: string;
  outcome: string;
  resource: string;
  detail: string;
  nominals: number[];
  records: number[];
  hash: string;
}

export interface AuditUsageCount {
  agency: string;
  actor?: string;
  events: number;
  nominals: number;
  outcomes: Record<string, number>;
}

export interface AuditUsage {
  from: string;
  to: string;
  events: number;
  outcomes: Record<string, number>;
  by_agency: AuditUsageCount[];
  by_user: AuditUsageCount[];
}

export interface AuditVerification {
  intact: boolean;
  events: number;
  head_seq: number;
  head_hash: string;
  keyed: boolean;
  macs_checked: number;
  notes: string[];
  first_broken_seq?: number;
  problem?: string;
}

// An audit event as the viewers list gives it: the event without its resource and hashes.
export type ViewerEvent = Pick<AuditEvent, "seq" | "at" | "actor" | "agency" | "role" | "action" | "purpose" | "justification" | "outcome">;

export interface Viewers {
  nominal_id: number;
  // Each user's views and latest view, over the newest `viewers_cover` views.
  viewers: { actor: string; views: number; last: string }[];
  viewers_cover: number;
  viewers_truncated: boolean;
  events: ViewerEvent[]; // newest first, one page
  next_before: number | null; // the next (older) page: ?before=
}

// ---- Single-view pages (person profile, match explanation, chronology, household, address) ----

// One comparison of a match waterfall (src/view/explanation.cc). The review queue gives only
// comparison, level, description and weight; a step that reads a withheld field is
// {comparison, withheld: true}.
export interface WaterfallStepShown {
  comparison: string;
  level: string;
  description: string;
  weight: number;
  value_a?: string;
  value_b?: string;
  m?: number;
  u?: number;
  term_frequency?: boolean;
  bayes_factor?: number;
  // Absent when any step of the pair is withheld.
  cumulative?: number;
  withheld?: false;
}

export interface WaterfallStepWithheld {
  comparison: string;
  withheld: true;
}

export type WaterfallStep = WaterfallStepShown | WaterfallStepWithheld;

// How the resolver scored a pair of records, one comparison at a time.
export interface MatchWaterfall {
  prior_weight: number;
  withheld_steps: number;
  // match_weight, probability and decision are left out when any step is withheld.
  match_weight?: number;
  probability?: number;
  decision?: "link" | "review" | "no link" | string;
  steps: WaterfallStep[];
}

// The waterfall of a record of the profile against one other record.
export interface RecordComparison extends MatchWaterfall {
  person_record_id: number;
  source_id: string;
  source_record_id?: number;
}

export interface RecordExplanation {
  nominal_id: number;
  person_record_id: number;
  record: PersonRecord;
  comparisons: RecordComparison[];
  comparisons_withheld: number;
}

export interface HouseholdMember {
  nominal_id: number;
  name: string;
  withheld_fields?: string[];
}

export interface HouseholdView extends HouseholdSummary {
  agencies_involved: AgencyInvolved[];
  timeline: TimelineEvent[];
  withheld: Withheld;
  withheld_fields?: string[];
}

export interface AddressView {
  location: LocationRef & { no_fixed_abode?: boolean };
  households: Omit<HouseholdSummary, "location">[];
  people: { nominal_id: number; name: string; first_seen?: string; last_seen?: string; withheld_fields?: string[] }[];
  events: TimelineEvent[];
}

export interface ChronologyEntry {
  date?: string;
  agency: string;
  dataset: string;
  source_id: string;
  type?: string;
  category?: string;
  severity?: number;
  reference?: string;
  roles: string[];
  location?: { postcode?: string };
  withheld_fields: string[];
}

export interface Chronology {
  nominal_id: number;
  classification: string;
  title: string;
  meeting: string;
  generated_at: string;
  generated_by: { username: string; display_name: string; agency: string };
  purpose: string;
  justification: string;
  subject: { name?: string; dob?: string; sex?: string; address?: string | LocationRef };
  agencies: string[];
  entries: ChronologyEntry[];
  withheld: Withheld;
  handling: string;
}

// ---- Clerical review and data quality (pages/Review.tsx, pages/Quality.tsx) ----
// Shapes from src/view/review_view.cc (review) and src/api/work_routes.cc (quality).

// A record as the review views give it: the record without its event count.
export type ReviewRecord = Omit<PersonRecord, "events">;

export interface ReviewPair {
  review_pair_id: number;
  status: "open" | "accepted" | "rejected" | "stale" | string;
  created_at: string;
  probability?: number; // only when every step is shown
  match_weight?: number;
  decided_by?: string;
  reason?: string;
  decided_at?: string;
  records: { nominal_id: number; record: ReviewRecord }[];
  waterfall: MatchWaterfall;
}

export interface ReviewQueue {
  pairs: ReviewPair[];
  withheld: number; // pairs with a record the request may not see
  next_after?: number; // present when the page was full
}

export interface LinkDecision {
  link_decision_id: number;
  kind: string;
  a: number;
  b: number;
}

export interface ReviewDecisionResult {
  review_pair_id: number;
  status: string;
  decided_by: string;
  reason: string;
  link_decisions: LinkDecision[];
  applied: string;
}

export interface MergeResult {
  nominal_id: number;
  other: number;
  decided_by: string;
  reason: string;
  link_decisions: LinkDecision[];
  applied: string;
}

export interface SplitResult {
  nominal_id: number;
  records: number[];
  decided_by: string;
  reason: string;
  link_decisions: LinkDecision[];
  link_decisions_withheld: number;
  applied: string;
}

export interface LoadSummary {
  load_id: number;
  source_id: string;
  file: string;
  mode: "incremental" | "full_refresh" | string;
  status: "running" | "completed" | string;
  started_at: string;
  finished_at?: string;
  read: number;
  loaded: number;
  unchanged: number;
  quarantined: number;
  deleted: number;
}

export interface FieldQuality {
  attribute: string;
  field: string;
  records: number;
  present: number;
  valid: number;
  flagged: number;
  placeholder: number;
  completeness: number; // (present - placeholder) / records
  validity: number; // valid / present
}

export interface LoadQuality extends LoadSummary {
  quality?: {
    records: number;
    flagged_records: number;
    fields: FieldQuality[];
    categories: Record<string, number>;
  };
}

export interface QuarantinedRow {
  id: number;
  load_id: number;
  source_id: string;
  file: string;
  line: number;
  field: string;
  reason: string;
  raw?: string;
}

export interface QuarantineList {
  rows: QuarantinedRow[];
  withheld: number; // rows whose source does not share record.raw for this purpose
}
// ---- end clerical review and data quality ----
