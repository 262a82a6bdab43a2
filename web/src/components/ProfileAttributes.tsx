// The person's best-known details with their provenance: for each attribute (name, date of
// birth, address...) the value the hub trusts most, the rule that chose it, how many records and
// which datasets support it, a "Conflict" tag when the records disagree, and, on request, every
// value with the records it came from. Agencies record people differently; showing the
// disagreement (not hiding it) lets a practitioner judge which value to rely on.
import { Fragment, useState } from "react";
import { Link } from "../lib/router";
import { agencyName, formatDate, formatDateTime, humanise } from "../lib/format";
import type { Attribute, AttributeValue, Identifier, LocationRef, PersonName, Profile } from "../lib/types";
import { identifierKind, nhsNumber, WithheldField } from "./ProfileParts";
import { sourceLabel, type Sources } from "../lib/sources";
import { TableHead } from "./TableHead";

type AttrKey = keyof Profile["attributes"];

interface AttrDef {
  key: AttrKey;
  label: string;
  // The governed field path behind the attribute (profile.withheld_fields lists these).
  path: string;
}

const ATTRS: AttrDef[] = [
  { key: "name", label: "Name", path: "person.name" },
  { key: "other_names", label: "Other names", path: "person.name" },
  { key: "dob", label: "Date of birth", path: "person.dob" },
  { key: "sex", label: "Sex", path: "person.sex" },
  { key: "nhs_number", label: "NHS number", path: "person.nhs_number" },
  { key: "identifiers", label: "Identifiers", path: "person.identifiers" },
  { key: "address", label: "Address", path: "person.address" },
  { key: "phones", label: "Phone numbers", path: "person.phone" },
  { key: "emails", label: "Email addresses", path: "person.email" },
];

const RULES: Record<string, string> = {
  most_supported: "Most supported",
  most_recent: "Most recent",
};

export function ruleText(rule: string): string {
  return RULES[rule] ?? humanise(rule);
}

// One attribute value as text (or a link, for an address).
export function AttributeValueText({ attr, value }: { attr: AttrKey; value: unknown }) {
  switch (attr) {
    case "name":
    case "other_names":
      return <>{(value as PersonName).display}</>;
    case "dob":
      return <>{formatDate(value as string)}</>;
    case "sex":
      return <>{humanise(value as string)}</>;
    case "nhs_number":
      return <>{nhsNumber(value as string)}</>;
    case "identifiers": {
      const id = value as Identifier;
      return (
        <>
          {identifierKind(id.kind)}: {id.value}
        </>
      );
    }
    case "address": {
      const loc = value as LocationRef;
      const text = [loc.address, loc.postcode].filter(Boolean).join(", ") || `Location ${loc.location_id}`;
      return <Link to={`/address/${loc.location_id}`}>{text}</Link>;
    }
    default:
      return <>{String(value)}</>;
  }
}

function support(v: AttributeValue, names: Sources): string {
  return `${v.records} record${v.records === 1 ? "" : "s"} from ${v.sources.map((s) => sourceLabel(s, names, humanise(s))).join(", ")}`;
}

// "12 records, 4 datasets" and the agencies behind them, for the summary row.
function SupportSummary({ v, names }: { v: AttributeValue; names: Sources }) {
  const agencies = [...new Set(v.sources.map((s) => (names.has(s) ? agencyName(names.get(s)!.agency) : humanise(s))))].sort();
  return (
    <>
      {v.records} record{v.records === 1 ? "" : "s"}, {v.sources.length} dataset{v.sources.length === 1 ? "" : "s"}
      <span className="sv-note muted">{agencies.join(", ")}</span>
    </>
  );
}

export function ProfileAttributes({ profile, names }: { profile: Profile; names: Sources }) {
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const withheld = new Set(profile.withheld_fields);
  return (
    <div className="sv-scroll">
      <table className="sv-attrs">
        <caption>Best-known value of each detail, how it was chosen and which records support it</caption>
        <TableHead columns={["Detail", "Best-known value", "How chosen", "Supported by", "All values"]} />
        <tbody>
          {ATTRS.map((def) => {
            const a = profile.attributes[def.key] as Attribute | undefined;
            if (!a) return null;
            const isWithheld = withheld.has(def.path);
            const rowId = `attr-${def.key}-values`;
            const many = a.values.length;
            return (
              <Fragment key={def.key}>
                <tr>
                  <th scope="row">{def.label}</th>
                  <td>
                    {a.best ? (
                      <>
                        <AttributeValueText attr={def.key} value={a.best.value} />
                        {a.conflict && (
                          <>
                            {" "}
                            <span className="tag tag-conflict">Conflict</span>
                            <span className="sv-note">Records disagree: {many} different values</span>
                          </>
                        )}
                        {isWithheld && (
                          <span className="sv-note">
                            <span className="tag tag-withheld">Partly withheld</span>
                            withheld on some records under agreement terms
                          </span>
                        )}
                      </>
                    ) : isWithheld ? (
                      <WithheldField label={def.label} />
                    ) : (
                      <span className="muted">Not recorded</span>
                    )}
                  </td>
                  <td>{a.best ? ruleText(a.rule) : ""}</td>
                  <td>{a.best ? <SupportSummary v={a.best} names={names} /> : ""}</td>
                  <td>
                    {many > 0 ? (
                      <button
                        type="button"
                        className="button-link"
                        aria-expanded={Boolean(open[def.key])}
                        aria-controls={rowId}
                        onClick={() => setOpen((o) => ({ ...o, [def.key]: !o[def.key] }))}
                      >
                        {open[def.key] ? "Hide" : "Show"} {many} value{many === 1 ? "" : "s"}
                        <span className="sv-vh"> of {def.label.toLowerCase()}</span>
                      </button>
                    ) : (
                      <span className="muted">None</span>
                    )}
                  </td>
                </tr>
                {many > 0 && (
                  <tr id={rowId} hidden={!open[def.key]} className="sv-expanded">
                    <td colSpan={5}>
                      {open[def.key] && <ValuesDetail def={def} attr={a} names={names} />}
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

// Every value of one attribute, each with the records it came from.
function ValuesDetail({ def, attr, names }: { def: AttrDef; attr: Attribute; names: Sources }) {
  return (
    <div className="sv-values">
      {attr.values.map((v, i) => (
        <div key={i} className="sv-value">
          <p className="sv-value-head">
            <strong>
              <AttributeValueText attr={def.key} value={v.value} />
            </strong>
            {i === 0 && <span className="tag sv-tag-best">Best known</span>}
            <span className="muted">
              {" "}
              · {support(v, names)}
              {v.last_seen ? ` · last seen in an event ${formatDate(v.last_seen)}` : ""}
            </span>
          </p>
          {v.provenance && v.provenance.length > 0 && (
            <table className="sv-provenance">
              <caption className="sv-vh">
                Records giving {def.label.toLowerCase()} value {i + 1}
              </caption>
              <TableHead columns={["Agency", "Dataset", "Record key", { num: "Version" }, "Received"]} />
              <tbody>
                {v.provenance.map((p) => (
                  <tr key={`${p.person_record_id}-${p.source_record_id}`}>
                    <td>{agencyName(p.agency)}</td>
                    <td>{p.dataset}</td>
                    <td>
                      <a href={`#record-${p.person_record_id}`}>{p.record_key}</a>
                    </td>
                    <td className="num">{p.version}</td>
                    <td>{formatDateTime(p.received_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </div>
  );
}
