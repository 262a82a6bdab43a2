// The information-sharing agreements the hub decides by, for anyone signed in: each Tier 1
// (organisation-level) protocol with the Tier 2 use cases under it, then the purposes
// catalogue, and for information-governance officers the restrictions that beat every
// agreement. One agreement's page shows everything about its current version in plain words,
// what each dataset shares field by field, and its history; officers can change it there.
import { useState } from "react";
import { Link } from "../lib/router";
import { useApi } from "../lib/useApi";
import { useSession } from "../lib/session";
import { ErrorNotice, Loading } from "../components/Status";
import { agencyName, formatDate, formatDateTime, humanise } from "../lib/format";
import type { Agreement, AgreementDetail, Purpose } from "../lib/types";
import { ALL_FIELDS, FieldMatrixHead, InForceTag, actorName, expandFields, otherFields } from "../components/GovCommon";
import { GovPurposes } from "../components/GovPurposes";
import { GovRestrictions } from "../components/GovRestrictions";
import { GovAgreementEditor } from "../components/GovAgreementEditor";
import { TableHead } from "../components/TableHead";
import { Fact } from "../components/Fact";
import { sourceLabel, useSources, type Sources } from "../lib/sources";

const IGO = "information_governance_officer";

function recipientsText(a: Agreement): string {
  return (a.recipients ?? []).map((r) => `${agencyName(r.agency)} (${r.roles.map(humanise).join(", ").toLowerCase()})`).join("; ");
}

function retentionText(days?: number): string {
  if (!days) return "Not stated";
  const years = days / 365;
  const approx = years >= 1 ? ` (about ${Math.round(years * 10) / 10} year${Math.round(years) === 1 ? "" : "s"})` : "";
  return `${days.toLocaleString("en-GB")} days${approx}`;
}

export function AgreementsPage() {
  const session = useSession();
  const list = useApi<{ agreements: Agreement[] }>("/agreements");
  const purposes = useApi<{ purposes: Purpose[] }>("/purposes");
  const { byId: sources } = useSources();
  const isIgo = session.hasRole(IGO);
  const purposeName = (code?: string) => purposes.data?.purposes.find((p) => p.code === code)?.name ?? humanise(code ?? "");

  const agreements = list.data?.agreements ?? [];
  const tier1 = agreements.filter((a) => a.tier === 1);
  const orphans = agreements.filter((a) => a.tier === 2 && !tier1.some((t) => t.code === a.parent));

  return (
    <>
      <h1>Information-sharing agreements</h1>
      <p className="gov-lead">
        What each agency shares, with whom and why. A Tier 1 protocol sets the parties and the law that
        allows sharing; each Tier 2 agreement under it is one use case: a purpose, the datasets and
        fields shared, and who receives them. You can see personal data only under a purpose that an
        agreement in force gives your agency and role.
      </p>
      {list.loading && <Loading what="agreements" />}
      {list.error && <ErrorNotice error={list.error} what="agreements" />}
      {list.data && agreements.length === 0 && <p>No agreements have been recorded on this hub yet.</p>}

      {tier1.map((t1) => {
        const children = agreements.filter((a) => a.tier === 2 && a.parent === t1.code);
        return (
          <section key={t1.code} className="gov-t1" aria-labelledby={`t1-${t1.code}`}>
            <h2 id={`t1-${t1.code}`}>
              <Link to={`/agreements/${encodeURIComponent(t1.code)}`}>{t1.title}</Link>
            </h2>
            <p className="gov-meta">
              <span className="gov-code">{t1.code}</span> · Tier 1 protocol · version {t1.version} · <InForceTag agreement={t1} />
            </p>
            <dl className="gov-facts">
              <Fact label="Legal gateway">{t1.legal_gateway}</Fact>
              <Fact label="Parties">{(t1.parties ?? []).map(agencyName).join(", ")}</Fact>
              <Fact label="Valid">
                {formatDate(t1.valid_from)} to {formatDate(t1.valid_to)}
              </Fact>
            </dl>
            <p className="gov-subhead">
              {children.length === 0 ? "No Tier 2 agreements under this protocol." : `${children.length} Tier 2 agreement${children.length === 1 ? "" : "s"} under this protocol:`}
            </p>
            <ul className="gov-t2-list">
              {children.map((a) => (
                <Tier2Card key={a.code} a={a} purposeName={purposeName(a.purpose)} sources={sources} />
              ))}
            </ul>
          </section>
        );
      })}

      {orphans.length > 0 && (
        <section aria-labelledby="t2-orphans" className="gov-t1">
          <h2 id="t2-orphans">Tier 2 agreements without a recorded protocol</h2>
          <ul className="gov-t2-list">
            {orphans.map((a) => (
              <Tier2Card key={a.code} a={a} purposeName={purposeName(a.purpose)} sources={sources} />
            ))}
          </ul>
        </section>
      )}

      <GovPurposes purposes={purposes} agreements={agreements} canEdit={isIgo} />
      {isIgo && <GovRestrictions purposes={purposes.data?.purposes ?? []} sources={sources} />}
    </>
  );
}

function Tier2Card({ a, purposeName, sources }: { a: Agreement; purposeName: string; sources: Sources }) {
  return (
    <li className="gov-t2">
      <h3>
        <Link to={`/agreements/${encodeURIComponent(a.code)}`}>{a.title}</Link>
      </h3>
      <p className="gov-meta">
        <span className="gov-code">{a.code}</span> · Tier 2 · version {a.version} · <InForceTag agreement={a} />
      </p>
      <dl className="gov-facts">
        <Fact label="Purpose">{purposeName}</Fact>
        <Fact label="Legal gateway">{a.legal_gateway}</Fact>
        <Fact label="Who receives it">
          {recipientsText(a) || "No agencies"}
          {a.nominated_users && a.nominated_users.length > 0 && <> · named users: {a.nominated_users.join(", ")}</>}
        </Fact>
        <Fact label="Datasets">
          <ul className="gov-dd-list">
            {(a.datasets ?? []).map((d) => (
              <li key={d.source}>{sourceLabel(d.source, sources)}</li>
            ))}
          </ul>
        </Fact>
        <Fact label="Valid">
          {formatDate(a.valid_from)} to {formatDate(a.valid_to)}
        </Fact>
      </dl>
    </li>
  );
}

export function AgreementPage({ code }: { code: string }) {
  const session = useSession();
  const detail = useApi<AgreementDetail>(`/agreements/${encodeURIComponent(code)}`);
  const list = useApi<{ agreements: Agreement[] }>("/agreements");
  const purposes = useApi<{ purposes: Purpose[] }>("/purposes");
  const { byId: sources } = useSources();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<number | null>(null);
  const isIgo = session.hasRole(IGO);

  if (detail.loading && !detail.data) return <Loading what="the agreement" />;
  if (detail.error)
    return (
      <>
        <h1>Agreement {code}</h1>
        <ErrorNotice error={detail.error} what="agreement" />
        <p>
          <Link to="/agreements">All agreements</Link>
        </p>
      </>
    );
  if (!detail.data) return null;

  const a = detail.data.current;
  const all = list.data?.agreements ?? [];
  const listed = all.find((x) => x.code === a.code);
  const current: Agreement = { ...a, in_force: listed?.in_force };
  const purpose = purposes.data?.purposes.find((p) => p.code === a.purpose);
  const parent = all.find((x) => x.code === a.parent);
  const children = all.filter((x) => x.tier === 2 && x.parent === a.code);

  return (
    <>
      <p className="gov-back">
        <Link to="/agreements">← All agreements</Link>
      </p>
      <h1>{a.title}</h1>
      <p className="gov-meta">
        <span className="gov-code">{a.code}</span> · {a.tier === 1 ? "Tier 1 protocol" : "Tier 2 agreement"} · version {a.version} ·{" "}
        <InForceTag agreement={current} />
      </p>

      {saved !== null && (
        <div className="notice notice-success" role="status">
          Saved as version {saved}. It is in force from now if its dates and status allow.
        </div>
      )}

      {isIgo && !editing && (
        <div className="button-row gov-edit-row">
          <button type="button" onClick={() => { setSaved(null); setEditing(true); }}>
            Edit this agreement
          </button>
        </div>
      )}

      {isIgo && editing && (
        <GovAgreementEditor
          agreement={a}
          agreements={all}
          purposes={purposes.data?.purposes ?? []}
          sources={sources}
          onCancel={() => setEditing(false)}
          onSaved={(v) => {
            setEditing(false);
            setSaved(v.version);
            detail.reload();
            list.reload();
          }}
        />
      )}

      <section aria-labelledby="ag-summary">
        <h2 id="ag-summary">Summary</h2>
        <dl className="gov-summary">
          {a.tier === 2 && (
            <Fact label="Purpose">
              {purpose?.name ?? humanise(a.purpose ?? "")}
              {purpose?.description && <span className="muted"> – {purpose.description}</span>}
            </Fact>
          )}
          {a.tier === 2 && (
            <Fact label="Under protocol">
              <Link to={`/agreements/${encodeURIComponent(a.parent ?? "")}`}>{parent?.title ?? a.parent}</Link> <span className="muted">({a.parent})</span>
            </Fact>
          )}
          <Fact label="Legal gateway">{a.legal_gateway}</Fact>
          <Fact label="Valid">
            From {formatDate(a.valid_from)} to {formatDate(a.valid_to)} (inclusive)
          </Fact>
          <Fact label="Status">{humanise(a.status)}</Fact>
          {a.tier === 2 && <Fact label="Retention">{retentionText(a.retention_days)} – how long recipients may keep what they see</Fact>}
          <Fact label="This version">
            Recorded {formatDateTime(a.created_at)} by {actorName(a.author)}
          </Fact>
        </dl>
      </section>

      {a.tier === 1 && (
        <section aria-labelledby="ag-parties">
          <h2 id="ag-parties">Parties ({(a.parties ?? []).length})</h2>
          <ul className="gov-columns">
            {(a.parties ?? []).map((p) => (
              <li key={p}>{agencyName(p)}</li>
            ))}
          </ul>
          <h2>Tier 2 agreements under this protocol</h2>
          {children.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul>
              {children.map((c) => (
                <li key={c.code}>
                  <Link to={`/agreements/${encodeURIComponent(c.code)}`}>{c.title}</Link> <span className="muted">({c.code})</span> – <InForceTag agreement={c} />
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      {a.tier === 2 && (
        <section aria-labelledby="ag-recipients">
          <h2 id="ag-recipients">Who receives it</h2>
          {(a.recipients ?? []).length > 0 ? (
            <table className="gov-table-narrow">
              <caption>Agencies and the roles in them that may see what this agreement shares</caption>
              <TableHead columns={["Agency", "Roles"]} />
              <tbody>
                {(a.recipients ?? []).map((r) => (
                  <tr key={r.agency}>
                    <th scope="row">{agencyName(r.agency)}</th>
                    <td>{r.roles.map(humanise).join(", ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No agencies receive it as a whole.</p>
          )}
          <p>
            <strong>Named users:</strong>{" "}
            {(a.nominated_users ?? []).length > 0 ? (a.nominated_users ?? []).join(", ") : "none (only the agencies and roles above)"}
          </p>
        </section>
      )}

      {a.tier === 2 && <SharedFields a={a} sources={sources} />}

      <section aria-labelledby="ag-history">
        <h2 id="ag-history">Version history</h2>
        <table>
          <caption>Every version of {a.code}, newest first; the newest is the one that counts</caption>
          <TableHead columns={["Version", "Recorded", "By", "Status", "Valid", "What changed"]} />
          <tbody>
            {[...detail.data.versions].reverse().map((v, i, arr) => (
              <tr key={v.version}>
                <th scope="row">
                  {v.version}
                  {v.version === a.version ? " (current)" : ""}
                </th>
                <td>{formatDateTime(v.created_at)}</td>
                <td>{actorName(v.author)}</td>
                <td>{humanise(v.status)}</td>
                <td>
                  {formatDate(v.valid_from)} to {formatDate(v.valid_to)}
                </td>
                <td>{i === arr.length - 1 ? "First version" : changedKeys(arr[i + 1], v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

const KEY_NAMES: Record<string, string> = {
  title: "title",
  status: "status",
  legal_gateway: "legal gateway",
  valid_from: "start date",
  valid_to: "end date",
  parties: "parties",
  parent: "protocol",
  purpose: "purpose",
  retention_days: "retention",
  datasets: "datasets or fields",
  recipients: "recipients",
  nominated_users: "named users",
};

// Which of the agreement's terms differ between two versions, in words.
function changedKeys(before: Agreement, after: Agreement): string {
  const changed = Object.keys(KEY_NAMES).filter(
    (k) => JSON.stringify((before as unknown as Record<string, unknown>)[k] ?? null) !== JSON.stringify((after as unknown as Record<string, unknown>)[k] ?? null),
  );
  if (changed.length === 0) return "No change to the terms";
  const words = changed.map((k) => KEY_NAMES[k]);
  return humanise(words.join(", "));
}

// The datasets of a Tier 2 agreement against every field: what is shared, cell by cell.
function SharedFields({ a, sources }: { a: Agreement; sources: Sources }) {
  const rows = (a.datasets ?? []).map((d) => ({ d, fields: expandFields(d.fields) }));
  const extra = otherFields(a.datasets ?? []);
  return (
    <section aria-labelledby="ag-fields">
      <h2 id="ag-fields">What is shared</h2>
      <p className="hint">
        Each row is a dataset; each column a field. A tick (✓) means recipients may see that field of
        that dataset's records; a dash (–) means they may not. Raw values (records as the partner sent them) are shown only where every other field is shared too.
      </p>
      <div className="gov-scroll" role="region" aria-label="Fields shared per dataset" tabIndex={0}>
        <table className="gov-matrix">
          <caption>Fields shared per dataset under {a.code}</caption>
          <FieldMatrixHead lead={["Dataset"]} other={extra} />
          <tbody>
            {rows.map(({ d, fields }) => (
              <tr key={d.source}>
                <th scope="row" className="gov-rowhead">
                  {sourceLabel(d.source, sources)}
                  <span className="gov-code-small">{d.source}</span>
                </th>
                {[...ALL_FIELDS, ...extra].map((f) => (
                  <td key={f} className={fields.has(f) ? "gov-yes" : "gov-no"}>
                    {fields.has(f) ? (
                      <>
                        <span aria-hidden="true">✓</span>
                        <span className="gov-sr">Shared</span>
                      </>
                    ) : (
                      <>
                        <span aria-hidden="true">–</span>
                        <span className="gov-sr">Not shared</span>
                      </>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
