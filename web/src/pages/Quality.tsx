// Data quality: whether each partner's feed is current, what each load of a file brought in,
// and for one load how complete and valid each field was and which rows were quarantined (not
// loaded) and why. Counts and percentages are open to every signed-in user; quarantined rows
// are raw personal data as the partner sent them, so they need a stated purpose and are shown
// only where the source's agreements share raw records.
import { useEffect, useRef, useState } from "react";
import { Link, navigate, useLocation } from "../lib/router";
import { useApi } from "../lib/useApi";
import { useSession } from "../lib/session";
import { ErrorNotice, Loading, PagePending, WithheldMarker } from "../components/Status";
import { agencyName, formatDateTime, humanise, scheduleText } from "../lib/format";
import type { LoadQuality, LoadSummary, QuarantineList, QuarantinedRow } from "../lib/types";
import { ReviewScroll } from "../components/ReviewScroll";
import { TableHead } from "../components/TableHead";
import { Fact } from "../components/Fact";
import { Select } from "../components/FormParts";
import { Pager } from "../components/Pager";
import { sourceLabel, useSources } from "../lib/sources";

function pct(v: number): string {
  const p = v * 100;
  if (p > 99.5 && p < 100) return `${p.toFixed(1)}%`;
  if (p > 0 && p < 0.5) return `${p.toFixed(1)}%`;
  return `${Math.round(p)}%`;
}

function count(n: number): string {
  return n.toLocaleString("en-GB");
}

// When a load finished, relative to its start: "within a minute", "after 5 minutes", or the time.
function finishedText(started: string, finished: string): string {
  const ms = new Date(finished).getTime() - new Date(started).getTime();
  if (Number.isNaN(ms)) return formatDateTime(finished);
  if (ms < 60_000) return "within a minute";
  if (ms < 3_600_000) return `after ${Math.round(ms / 60_000)} minutes`;
  return formatDateTime(finished);
}

function fileName(path: string): string {
  return path.split("/").pop() || path;
}

// ---------------------------------------------------------------------------------------------
// All sources and loads

const LOAD_PAGE = 100;

export function QualityPage() {
  const { query } = useLocation();
  const source = query.get("source") ?? "";
  const limit = Math.min(1000, Math.max(LOAD_PAGE, Number(query.get("limit")) || LOAD_PAGE));
  const { sources, byId } = useSources();
  const loads = useApi<{ loads: LoadSummary[] }>("/quality/loads", { source, limit });

  function setQuery(nextSource: string, nextLimit?: number) {
    const p = new URLSearchParams();
    if (nextSource) p.set("source", nextSource);
    if (nextLimit && nextLimit > LOAD_PAGE) p.set("limit", String(nextLimit));
    const qs = p.toString();
    navigate("/quality" + (qs ? "?" + qs : ""), true);
  }

  // Choosing a source (here or from the sources table) brings the loads into view.
  const firstSource = useRef(source);
  useEffect(() => {
    if (source === firstSource.current) return;
    firstSource.current = source;
    document.getElementById("loads-title")?.scrollIntoView({ block: "start" });
  }, [source]);

  const late = (sources.data?.sources ?? []).filter((s) => s.late);
  const list = loads.data?.loads ?? [];

  return (
    <>
      <h1>Data quality</h1>
      <p>
        How current each partner's data is, and what each file load brought in. Open a load to see how
        complete and valid its fields were, and which rows were quarantined (not loaded).
      </p>

      <section aria-labelledby="sources-title">
        <h2 id="sources-title">Sources</h2>
        {sources.loading && <Loading what="sources" />}
        {sources.error && <ErrorNotice error={sources.error} what="sources" />}
        {sources.data && (
          <>
            <p>
              {late.length === 0
                ? "Every source with a schedule has sent data on time."
                : `${late.length} ${late.length === 1 ? "source is" : "sources are"} late: ${late.map((s) => s.dataset).join(", ")}. Its data may be out of date.`}
            </p>
            <ReviewScroll label="Sources">
              <table>
                <caption>Each source's dataset, when its data is current to, and whether its feed is late</caption>
                <TableHead columns={["Dataset", "Agency", "Data current to", "Expected", "Feed", "Loads"]} />
                <tbody>
                  {sources.data.sources.map((s) => (
                    <tr key={s.source_id}>
                      <th scope="row">{s.dataset}</th>
                      <td>{agencyName(s.agency)}</td>
                      <td>{s.data_current_to ? formatDateTime(s.data_current_to) : <span className="muted">No data yet</span>}</td>
                      <td>{scheduleText(s.expected_every_hours)}</td>
                      <td>
                        {s.late ? (
                          <span className="tag quality-tag-late">Late</span>
                        ) : s.expected_every_hours ? (
                          <span className="tag quality-tag-ok">On time</span>
                        ) : (
                          <span className="muted">No schedule</span>
                        )}
                      </td>
                      <td>
                        <Link to={`/quality?source=${encodeURIComponent(s.source_id)}`} aria-label={`Loads of ${s.dataset}`}>
                          Show loads
                        </Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ReviewScroll>
          </>
        )}
      </section>

      <section aria-labelledby="loads-title" aria-busy={loads.loading}>
        <h2 id="loads-title">Loads</h2>
        <div className="quality-filter">
          <label htmlFor="quality-source">Source</label>
          <Select
            id="quality-source"
            value={source}
            onChoose={(v) => setQuery(v)}
            placeholder="All sources"
            options={[
              ...(sources.data?.sources ?? []).map((s) => ({ value: s.source_id, label: sourceLabel(s.source_id, byId) })),
              ...(source && !byId.has(source) ? [{ value: source, label: source }] : []),
            ]}
          />
        </div>
        {loads.loading && <Loading what="loads" />}
        {loads.error && <ErrorNotice error={loads.error} what="loads" />}
        {loads.data && (
          <p aria-live="polite">
            {list.length === 0
              ? "No loads for this source yet."
              : `${list.length} ${list.length === 1 ? "load" : "loads"}${source ? ` of ${byId.get(source)?.dataset ?? source}` : ""}, newest first.`}
          </p>
        )}
        {list.length > 0 && (
          <ReviewScroll label="Loads">
            <table className="quality-loads">
              <caption>File loads{source ? ` of ${byId.get(source)?.dataset ?? source}` : " of every source"}, with how many rows each read and loaded</caption>
              <TableHead columns={["Load", "Source and file", "Started", { num: "Read" }, { num: "Loaded" }, { num: "Unchanged" }, { num: "Quarantined" }, { num: "Deleted" }, "Status"]} />
              <tbody>
                {list.map((l) => (
                  <tr key={l.load_id}>
                    <th scope="row">
                      <Link to={`/quality/loads/${l.load_id}`}>Load {l.load_id}</Link>
                    </th>
                    <td>
                      {byId.get(l.source_id)?.dataset ?? l.source_id}
                      <div className="quality-file" title={l.file}>
                        {fileName(l.file)}
                        {l.mode === "full_refresh" && <span className="muted"> (full refresh)</span>}
                      </div>
                    </td>
                    <td>
                      {formatDateTime(l.started_at)}
                      <div className="muted">{l.finished_at ? `finished ${finishedText(l.started_at, l.finished_at)}` : "not finished"}</div>
                    </td>
                    <td className="num">{count(l.read)}</td>
                    <td className="num">{count(l.loaded)}</td>
                    <td className="num">{count(l.unchanged)}</td>
                    <td className="num">
                      {l.quarantined > 0 ? <strong>{count(l.quarantined)}</strong> : "0"}
                    </td>
                    <td className="num">{count(l.deleted)}</td>
                    <td>
                      <LoadStatus status={l.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ReviewScroll>
        )}
        {list.length >= limit && limit < 1000 && (
          <button type="button" className="button-secondary" onClick={() => setQuery(source, Math.min(1000, limit + LOAD_PAGE))}>
            Show older loads
          </button>
        )}
      </section>
    </>
  );
}

function LoadStatus({ status }: { status: string }) {
  if (status === "completed") return <span className="tag quality-tag-ok">Completed</span>;
  if (status === "running") return <span className="tag quality-tag-running">Running</span>;
  return <span className="tag">{humanise(status)}</span>;
}

// ---------------------------------------------------------------------------------------------
// One load

// "person.address.postcode" -> "Person: address postcode"; "event.date" -> "Event: date";
// "person.identifiers.nhs_number" -> "Person: NHS number".
function attributeLabel(attribute: string): string {
  const parts = attribute.split(".");
  const head = parts[0];
  const rest = head === "person" && parts[1] === "identifiers" && parts.length > 2 ? parts.slice(2) : parts.slice(1);
  const what = rest
    .join(" ")
    .replace(/_/g, " ")
    .replace(/\bnhs\b/i, "NHS")
    .replace(/\bdob\b/, "date of birth")
    .replace(/\b(ni|pnc|upn|uprn|uln)\b/g, (m) => m.toUpperCase())
    .replace(/\bid\b/, "ID");
  const owner = head === "person" ? "Person" : head === "event" ? "Event" : humanise(head);
  return what ? `${owner}: ${what}` : owner;
}

// A bar with its percentage written beside it. `judge`: mark bars under 90% (hatched) as low.
function Bar({ value, label, judge = true }: { value: number; label: string; judge?: boolean }) {
  const p = Math.max(0, Math.min(1, value));
  return (
    <div className="quality-bar-cell">
      <span className="quality-bar" aria-hidden="true">
        <span className={judge && p < 0.9 ? "quality-bar-fill quality-bar-low" : "quality-bar-fill"} style={{ width: `${p * 100}%` }} />
      </span>
      <span className="quality-bar-text">
        <strong>{pct(p)}</strong> <span className="muted quality-bar-label">{label}</span>
      </span>
    </div>
  );
}

export function LoadQualityPage({ id }: { id: string }) {
  const load = useApi<LoadQuality>(`/quality/loads/${encodeURIComponent(id)}`);
  const { byId } = useSources();

  if (!load.data) {
    return (
      <PagePending
        heading={`Load ${id}`}
        resource={load}
        loading="the load"
        what="load"
        notFound={`There is no load ${id}.`}
        back={{ to: "/quality", label: "Back to data quality" }}
      />
    );
  }
  const l = load.data;
  const src = byId.get(l.source_id);
  const q = l.quality;
  const categories = q ? Object.entries(q.categories).sort((x, y) => y[1] - x[1]) : [];
  const catTotal = categories.reduce((s, [, n]) => s + n, 0);

  return (
    <>
      <p className="quality-back">
        <Link to="/quality">Data quality</Link> ›{" "}
        <Link to={`/quality?source=${encodeURIComponent(l.source_id)}`}>Loads of {src?.dataset ?? l.source_id}</Link>
      </p>
      <h1>
        Load {l.load_id}: {src?.dataset ?? l.source_id}
      </h1>

      <div className="panel quality-load-summary">
        <dl className="facts">
          <Fact label="Agency">{src ? agencyName(src.agency) : l.source_id}</Fact>
          <Fact label="File" className="quality-file">
            {l.file}
          </Fact>
          <Fact label="Mode">{l.mode === "full_refresh" ? "Full refresh" : humanise(l.mode)}</Fact>
          <Fact label="Status">
            <LoadStatus status={l.status} />
          </Fact>
          <Fact label="Started">{formatDateTime(l.started_at)}</Fact>
          <Fact label="Finished">{l.finished_at ? formatDateTime(l.finished_at) : "Not finished"}</Fact>
        </dl>
        <p className="quality-counts">
          Read <strong>{count(l.read)}</strong> rows: <strong>{count(l.loaded)}</strong> loaded,{" "}
          <strong>{count(l.unchanged)}</strong> unchanged since the last load,{" "}
          <strong>{count(l.quarantined)}</strong> quarantined (not loaded)
          {l.deleted > 0 ? (
            <>
              ; <strong>{count(l.deleted)}</strong> deleted
            </>
          ) : (
            ""
          )}
          .
        </p>
      </div>

      <section aria-labelledby="fields-title">
        <h2 id="fields-title">Completeness and validity by field</h2>
        {!q ? (
          <p>
            {l.status === "running"
              ? "This load is still running: its quality profile is recorded when it finishes."
              : "No quality profile was recorded for this load."}
          </p>
        ) : (
          <>
            <p>
              Of the <strong>{count(q.records)}</strong> records profiled, <strong>{count(q.flagged_records)}</strong>{" "}
              {q.flagged_records === 1 ? "was" : "were"} loaded with at least one value set aside as invalid.{" "}
              <strong>Complete</strong> means a real value was given (not blank and not a placeholder such as
              "UNKNOWN"); <strong>valid</strong> means a given value passed its checks (a real date, a well-formed
              postcode, a correct NHS number check digit).
            </p>
            <ReviewScroll label="Completeness and validity by field">
              <table className="quality-fields">
                <caption>Each source field, what it holds, and how complete and valid it was in this load</caption>
                <TableHead columns={["Source field", "Holds", "Complete", "Valid", { num: "Placeholders" }, { num: "Set aside" }]} />
                <tbody>
                  {q.fields.map((f) => (
                    <tr key={f.field + f.attribute}>
                      <th scope="row" className="quality-field-name">
                        {f.field}
                      </th>
                      <td>{attributeLabel(f.attribute)}</td>
                      <td>
                        <Bar value={f.completeness} label={`${count(f.present - f.placeholder)} of ${count(f.records)}`} />
                      </td>
                      <td>
                        {f.present > 0 ? (
                          <Bar value={f.validity} label={`${count(f.valid)} of ${count(f.present)} given`} />
                        ) : (
                          <span className="muted">No values given</span>
                        )}
                      </td>
                      <td className="num">{count(f.placeholder)}</td>
                      <td className="num">{count(f.flagged)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ReviewScroll>
            <p className="hint">
              Placeholders are values standing in for "not known"; values set aside failed their checks but
              the rest of the row was loaded. Bars under 90% are hatched; the percentage is always written.
            </p>
          </>
        )}
      </section>

      {q && (
        <section aria-labelledby="categories-title">
          <h2 id="categories-title">Categories</h2>
          {categories.length === 0 ? (
            <p>This load recorded no event categories.</p>
          ) : (
            <ReviewScroll label="Categories">
              <table className="quality-categories">
                <caption>Records in this load by event category, most first</caption>
                <TableHead columns={["Category", { num: "Records" }, "Share"]} />
                <tbody>
                  {categories.map(([c, n]) => (
                    <tr key={c}>
                      <th scope="row">{humanise(c)}</th>
                      <td className="num">{count(n)}</td>
                      <td>
                        <Bar value={catTotal ? n / catTotal : 0} label={`of ${count(catTotal)}`} judge={false} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ReviewScroll>
          )}
        </section>
      )}

      <section aria-labelledby="quarantine-title">
        <h2 id="quarantine-title">Quarantined rows</h2>
        {l.quarantined === 0 ? (
          <p>No rows of this load were quarantined.</p>
        ) : (
          <>
            <p>
              <strong>{count(l.quarantined)}</strong> {l.quarantined === 1 ? "row was" : "rows were"} not loaded
              because {l.quarantined === 1 ? "it" : "they"} could not be read or failed a required check. The
              partner needs to correct and resend {l.quarantined === 1 ? "it" : "them"}.
            </p>
            <Quarantine loadId={l.load_id} />
          </>
        )}
      </section>
    </>
  );
}

// The quarantined rows of a load: personal data, so only with a stated purpose, and only those
// whose source shares raw records for it.
function Quarantine({ loadId }: { loadId: number }) {
  const session = useSession();
  const allowed = session.hasRole("practitioner", "analyst");
  const stated = Boolean(session.stated);
  // The hub answers 100 rows at a time; `after` pages on from the last row shown.
  const [after, setAfter] = useState<number[]>([]);
  const rows = useApi<QuarantineList>(allowed && stated ? "/quality/quarantine" : null, {
    load: loadId,
    after: after.length ? after[after.length - 1] : undefined,
  });

  if (!allowed) {
    return (
      <p>
        The rows themselves are personal data as the partner sent them: only practitioners and analysts may
        see them, for a stated purpose.
      </p>
    );
  }
  if (!stated) {
    return (
      <div className="notice notice-info">
        The rows themselves are personal data as the partner sent them. To see them,{" "}
        <Link to={`/purpose?next=${encodeURIComponent(window.location.pathname)}`}>state your purpose and justification</Link>; you will
        come back to this page.
      </div>
    );
  }
  if (rows.loading) return <Loading what="quarantined rows" />;
  if (rows.error) {
    if (rows.error.status === 403) {
      return (
        <div className="notice notice-info" role="note">
          You may not see quarantined rows under your stated purpose. {rows.error.detail}
        </div>
      );
    }
    return <ErrorNotice error={rows.error} what="quarantined rows" />;
  }
  if (!rows.data) return null;
  const list = rows.data.rows;
  return (
    <>
      <WithheldMarker count={rows.data.withheld} what="quarantined row" />
      {rows.data.withheld > 0 && (
        <p className="hint">
          Their source does not share raw records for your stated purpose, so they are counted but not shown.
        </p>
      )}
      {list.length > 0 && (
        <>
          <ReasonCounts rows={list} partial={rows.data.withheld > 0} />
          <ReviewScroll label="Quarantined rows">
            <table className="quality-quarantine">
              <caption>Each quarantined row you may see, by line of the file</caption>
              <TableHead columns={[{ num: "Line" }, "Field", "Reason", "Row as sent"]} />
              <tbody>
                {list.map((r) => (
                  <tr key={r.id}>
                    <th scope="row" className="num">
                      {count(r.line)}
                    </th>
                    <td>{r.field || <span className="muted">Whole row</span>}</td>
                    <td>{r.reason}</td>
                    <td>{r.raw ? <code className="quality-raw">{r.raw}</code> : <span className="muted">Not shared</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ReviewScroll>
          <Pager
            label="Pages of quarantined rows"
            back={after.length > 0 && { label: "Previous rows", onClick: () => setAfter((a) => a.slice(0, -1)) }}
            next={list.length + rows.data.withheld >= 100 && { label: "Next rows", onClick: () => setAfter((a) => [...a, list[list.length - 1].id]) }}
          />
        </>
      )}
    </>
  );
}

// The reason's kind, without the row's particular values: "the event date is invalid: '30/02'..."
// -> "the event date is invalid"; "invalid UTF-8 (byte 0xC3) at byte offset 15315" -> "invalid UTF-8".
function reasonKind(reason: string): string {
  let r = reason;
  const colon = r.indexOf(": ");
  if (colon > 0) r = r.slice(0, colon);
  r = r.replace(/\s*\(byte 0x[0-9a-f]+\)/i, "").replace(/\s+at (byte offset|line|column|offset) \d+.*$/i, "");
  r = r.trim();
  return r ? r.charAt(0).toUpperCase() + r.slice(1) : "No reason given";
}

function ReasonCounts({ rows, partial }: { rows: QuarantinedRow[]; partial: boolean }) {
  const groups = new Map<string, { reason: string; fields: Set<string>; n: number }>();
  for (const r of rows) {
    const k = reasonKind(r.reason);
    const g = groups.get(k) ?? { reason: k, fields: new Set<string>(), n: 0 };
    g.n += 1;
    g.fields.add(r.field || "whole row");
    groups.set(k, g);
  }
  const list = [...groups.values()].sort((x, y) => y.n - x.n);
  return (
    <table className="quality-reasons">
      <caption>Quarantined rows by reason{partial ? " (only the rows you may see)" : ""}</caption>
      <TableHead columns={["Reason", "Fields", { num: "Rows" }]} />
      <tbody>
        {list.map((g) => (
          <tr key={g.reason}>
            <th scope="row">{g.reason}</th>
            <td>{[...g.fields].join(", ")}</td>
            <td className="num">{count(g.n)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
