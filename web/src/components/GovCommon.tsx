// Shared words and small pieces for the governance pages (agreements, restrictions, audit,
// usage, viewers): the hub's vocabulary of agencies, roles and fields (docs/formats/agreements.md),
// how audit actors, actions and outcomes read to a person, and the "Emergency access" tag.
import { agencyName, fieldName, formatDate, humanise } from "../lib/format";
import type { Agreement, AgreementDataset, AuditEvent, ViewerEvent } from "../lib/types";

// The agencies and user roles an agreement may name (the server's vocabulary).
export const AGENCIES = [
  "police",
  "fire_rescue",
  "ambulance",
  "childrens_social_care",
  "adult_social_care",
  "education",
  "housing",
  "health",
  "mental_health",
  "substance_misuse",
  "probation",
  "dwp",
  "youth_justice",
];
export const ROLES = ["practitioner", "analyst", "information_governance_officer", "administrator"];

// Every field an agreement can share, in the server's order, by group.
export const FIELD_GROUPS: { group: "person" | "event" | "record"; label: string; fields: string[] }[] = [
  {
    group: "person",
    label: "About the person",
    fields: ["person.name", "person.dob", "person.sex", "person.nhs_number", "person.identifiers", "person.address", "person.phone", "person.email"],
  },
  {
    group: "event",
    label: "About events",
    fields: ["event.type", "event.category", "event.date", "event.severity", "event.location", "event.reference"],
  },
  { group: "record", label: "The record", fields: ["record.raw"] },
];
export const ALL_FIELDS = FIELD_GROUPS.flatMap((g) => g.fields);

// "person.nhs_number" -> "NHS number"; "record.raw" -> "Raw values as received".
export function fieldLabel(path: string): string {
  if (path === "record.raw") return "Raw values";
  if (path === "*") return "Every field";
  if (path.endsWith(".*")) return `Everything ${path === "person.*" ? "about the person" : path === "event.*" ? "about events" : "in the record"}`;
  return fieldName(path);
}

// The single fields a list of paths as written ("person.*", "*") shares.
export function expandFields(paths: string[]): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    if (p === "*") ALL_FIELDS.forEach((f) => out.add(f));
    else if (p.endsWith(".*")) ALL_FIELDS.filter((f) => f.startsWith(p.slice(0, -1))).forEach((f) => out.add(f));
    else out.add(p);
  }
  return out;
}

// The shortest way of writing a set of fields: "*", "person.*", ... then single fields.
export function compactFields(fields: Set<string>): string[] {
  if (ALL_FIELDS.every((f) => fields.has(f))) return ["*"];
  const out: string[] = [];
  for (const g of FIELD_GROUPS) {
    if (g.fields.length > 1 && g.fields.every((f) => fields.has(f))) out.push(`${g.group}.*`);
    else out.push(...g.fields.filter((f) => fields.has(f)));
  }
  // Anything outside the known vocabulary is kept as written (the server will judge it).
  for (const f of fields) if (!ALL_FIELDS.includes(f)) out.push(f);
  return out;
}

// The fields the datasets share that are outside the known vocabulary, as written.
export function otherFields(datasets: AgreementDataset[]): string[] {
  return [...new Set(datasets.flatMap((d) => [...expandFields(d.fields)].filter((f) => !ALL_FIELDS.includes(f))))];
}

// The head of a table of datasets against every field an agreement can share: the `lead`
// columns, then the fields under their group ("About the person"...), then `other` fields.
export function FieldMatrixHead({ lead, other }: { lead: string[]; other: string[] }) {
  return (
    <thead>
      <tr>
        {lead.map((l) => (
          <th key={l} scope="col" rowSpan={2}>
            {l}
          </th>
        ))}
        {FIELD_GROUPS.map((g) => (
          <th key={g.group} scope="colgroup" colSpan={g.fields.length} className="gov-group">
            {g.label}
          </th>
        ))}
        {other.length > 0 && (
          <th scope="colgroup" colSpan={other.length} className="gov-group">
            Other
          </th>
        )}
      </tr>
      <tr>
        {[...ALL_FIELDS, ...other].map((f) => (
          <th key={f} scope="col" className="gov-fieldhead">
            {fieldLabel(f)}
          </th>
        ))}
      </tr>
    </thead>
  );
}

// "user:sw.jones" -> "sw.jones"; "cli:root as user:igo.wright" -> "igo.wright (command line)".
export function actorName(actor: string): string {
  if (!actor) return "Unknown";
  const asUser = /^cli:[^ ]+ as user:(.+)$/.exec(actor);
  if (asUser) return `${asUser[1]} (command line)`;
  if (actor.startsWith("user:")) return actor.slice(5);
  if (actor.startsWith("cli:")) return `Command line (${actor.slice(4)})`;
  return actor;
}

// What a typed user name means to the audit search, which matches the actor exactly.
export function actorQuery(text: string): string {
  const t = text.trim();
  if (!t) return "";
  return t.includes(":") ? t : `user:${t}`;
}

// Route ids as plain words; unknown ones are de-snaked.
const ACTIONS: Record<string, string> = {
  search: "Searched for people",
  "nominals.profile": "Opened a person",
  "nominals.timeline": "Viewed a timeline",
  "nominals.graph": "Viewed connections",
  "nominals.map": "Viewed a map",
  "nominals.explain": "Viewed why records match",
  "nominals.viewers": "Viewed who saw a person",
  "nominals.merge": "Merged people",
  "nominals.split": "Split a person",
  "households.view": "Viewed a household",
  "households.graph": "Viewed household connections",
  "households.map": "Viewed a household map",
  "addresses.view": "Viewed an address",
  "review.queue": "Viewed the review queue",
  "review.pair": "Viewed a review pair",
  "review.decide": "Decided a review pair",
  "session.login": "Signed in",
  "session.logout": "Signed out",
  "session.break_glass": "Started emergency access",
  "audit.search": "Searched the audit log",
  "audit.usage": "Viewed usage",
  "audit.verify": "Verified the audit log",
  "agreements.apply": "Saved an agreement",
  "purposes.put": "Saved a purpose",
  "restrictions.list": "Viewed restrictions",
  "restrictions.add": "Added a restriction",
  "restrictions.lift": "Lifted a restriction",
  "quality.quarantine": "Viewed quarantined rows",
  "sources.push": "Pushed records",
};
export function actionLabel(action: string): string {
  return ACTIONS[action] ?? humanise(action.replace(/\./g, " "));
}
// Action prefixes offered in the audit search (the server matches the start of the action).
export const ACTION_OPTIONS = Object.keys(ACTIONS);

export const OUTCOMES = ["allowed", "denied", "alert", "not_found", "rejected", "error"];
export function outcomeLabel(outcome: string): string {
  switch (outcome) {
    case "allowed":
      return "Allowed";
    case "denied":
      return "Refused";
    case "alert":
      return "Alert";
    case "not_found":
      return "Not found";
    case "rejected":
      return "Rejected (bad request)";
    case "error":
      return "Server error";
    case "":
      return "Not recorded";
    default:
      return humanise(outcome);
  }
}

export function OutcomeTag({ outcome }: { outcome: string }) {
  const cls = outcome === "allowed" ? "gov-outcome gov-outcome-ok" : outcome === "" ? "gov-outcome" : "gov-outcome gov-outcome-bad";
  return <span className={cls}>{outcomeLabel(outcome)}</span>;
}

// Break-glass: the grant itself (outcome "alert"), and every read made under one (role
// "break-glass", detail "ALERT break-glass access").
export function isEmergency(e: AuditEvent | ViewerEvent): boolean {
  if (e.outcome === "alert" || e.role === "break-glass" || e.action === "session.break_glass") return true;
  return "detail" in e && /break-glass/i.test(e.detail);
}

export function EmergencyTag() {
  return (
    <span className="gov-emergency">
      <span aria-hidden="true">⚠ </span>Emergency access
    </span>
  );
}

export function agencyLabel(code: string): string {
  return code ? agencyName(code) : "No agency (system)";
}

// Whether an agreement is in force today, in words.
export function inForceText(a: Agreement, today = new Date().toISOString().slice(0, 10)): { text: string; inForce: boolean } {
  if (a.status !== "active") return { text: `Not in force: ${a.status}`, inForce: false };
  if (today < a.valid_from) return { text: `Not yet in force (starts ${formatDate(a.valid_from)})`, inForce: false };
  if (today > a.valid_to) return { text: `Not in force: ended ${formatDate(a.valid_to)}`, inForce: false };
  const inForce = a.in_force ?? true;
  return { text: inForce ? "In force" : "Not in force", inForce };
}

export function InForceTag({ agreement }: { agreement: Agreement }) {
  const s = inForceText(agreement);
  return <span className={s.inForce ? "gov-status gov-status-on" : "gov-status gov-status-off"}>{s.text}</span>;
}

// A local date-time input value ("2026-11-24T20:18") -> ISO UTC for the API; "" stays "".
export function localToIso(local: string): string {
  if (!local) return "";
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// An ISO time -> the value a datetime-local input shows, in local time.
export function isoToLocal(iso: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// A Date -> "YYYY-MM-DD" in local time.
export function localDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
