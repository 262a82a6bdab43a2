// Clerical review: the pairs of records the resolver could not decide on by itself (its score
// fell between the review and link thresholds). The queue lists them with both records' key
// facts and why they scored as they did; a pair's page puts the two records side by side, shows
// the match waterfall, and lets a practitioner record "same person" or "different people" with
// a reason. Pairs holding a record the user's agreements do not share are only counted.
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { api, ApiError, asApiError } from "../lib/api";
import { Link, navigate, useLocation } from "../lib/router";
import { useApi, type Loaded } from "../lib/useApi";
import { useSession } from "../lib/session";
import { ErrorNotice, Loading, PagePending, WithheldMarker } from "../components/Status";
import { Waterfall, WaterfallSummary, decisionWords, percent, probabilityWords } from "../components/Waterfall";
import { MergeForm, SplitForm } from "../components/ReviewCorrections";
import { ReasonField } from "../components/ReasonConfirmForm";
import { ageFrom, agencyName, formatDate, formatDateTime, humanise } from "../lib/format";
import type { Profile, ReviewDecisionResult, ReviewPair, ReviewQueue, ReviewRecord } from "../lib/types";
import { ReviewScroll } from "../components/ReviewScroll";
import { nhsNumber } from "../components/ProfileParts";
import { TableHead } from "../components/TableHead";
import { Fact } from "../components/Fact";
import { FieldError, RadioGroup, Select, type Option, type RadioOption } from "../components/FormParts";
import { Pager } from "../components/Pager";

const STATUSES: Option[] = [
  { value: "open", label: "Waiting for a decision" },
  { value: "stale", label: "No longer borderline, undecided" },
  { value: "accepted", label: "Decided: same person" },
  { value: "rejected", label: "Decided: different people" },
  { value: "all", label: "All pairs" },
];

function statusText(status: string): string {
  switch (status) {
    case "open":
      return "Waiting for a decision";
    case "stale":
      return "No longer borderline (records changed), undecided";
    case "accepted":
      return "Decided: same person";
    case "rejected":
      return "Decided: different people";
    default:
      return humanise(status);
  }
}

// The confirmation of a decision, carried from the pair page to the queue it returns to.
let flash: { pairId: number; text: string } | null = null;

function displayName(r: ReviewRecord): string {
  const n = r.fields.name;
  if (!n) return "";
  return n.display || [n.title, n.given, n.middle, n.family, n.suffix].filter(Boolean).join(" ");
}

function withheld(r: ReviewRecord, path: string): boolean {
  return r.withheld_fields.includes(path);
}

// ---------------------------------------------------------------------------------------------
// The queue

const PAGE = 25; // pairs the user sees per page
const MAX_READS = 8; // queue pages read to fill one page when many pairs are withheld

// One page of the queue as the user sees it. The hub pages over all pairs and leaves out (but
// counts) those with a record the user may not see, so a page of the hub's can be all withheld;
// this reads on until it has PAGE visible pairs, reaches the end, or has read MAX_READS pages.
function useQueuePage(status: string, after: string): Loaded<ReviewQueue> {
  const [state, setState] = useState<{ data: ReviewQueue | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState({ data: null, error: null, loading: true });
    (async () => {
      const out: ReviewQueue = { pairs: [], withheld: 0 };
      let cursor: number | undefined = after ? Number(after) : undefined;
      for (let i = 0; i < MAX_READS; i++) {
        const page = await api<ReviewQueue>("/review", {
          query: { status, after: cursor, limit: Math.max(10, PAGE - out.pairs.length) },
          signal: controller.signal,
        });
        out.pairs.push(...page.pairs);
        out.withheld += page.withheld;
        out.next_after = page.next_after;
        cursor = page.next_after;
        if (!cursor || out.pairs.length >= PAGE) break;
      }
      setState({ data: out, error: null, loading: false });
    })().catch((e) => {
      if (e instanceof DOMException && e.name === "AbortError") return;
      setState({ data: null, error: asApiError(e), loading: false });
    });
    return () => controller.abort();
  }, [status, after, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function ReviewQueuePage() {
  const { query } = useLocation();
  const session = useSession();
  const status = query.get("status") ?? "open";
  const after = query.get("after") ?? "";
  const queue = useQueuePage(status, after);
  const [message] = useState(() => flash);
  const messageRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    flash = null;
    // After the shell has moved focus to <main> for the new page.
    const t = message ? window.setTimeout(() => messageRef.current?.focus(), 50) : 0;
    return () => window.clearTimeout(t);
  }, [message]);

  function go(nextStatus: string, nextAfter?: number) {
    const p = new URLSearchParams();
    if (nextStatus !== "open") p.set("status", nextStatus);
    if (nextAfter) p.set("after", String(nextAfter));
    const qs = p.toString();
    navigate("/review" + (qs ? "?" + qs : ""));
  }

  const pairs = queue.data?.pairs ?? [];
  const canDecide = session.hasRole("practitioner");

  return (
    <>
      <h1>Clerical review</h1>
      {message && (
        <div className="notice notice-success" role="status" tabIndex={-1} ref={messageRef}>
          {message.text} <Link to={`/review/${message.pairId}`}>See pair {message.pairId} again</Link>.
        </div>
      )}
      <p className="review-intro">
        These are pairs of records that might be the same person. The hub was not sure enough to link
        them, or to keep them apart, by itself.{" "}
        {canDecide
          ? "Open a pair, compare the records and decide."
          : "Only practitioners may decide; you can compare the records."}
      </p>

      <div className="review-filter">
        <label htmlFor="review-status">Show</label>
        <Select id="review-status" value={status} onChoose={(v) => go(v)} options={STATUSES} />
      </div>

      <section aria-labelledby="queue-title" aria-busy={queue.loading}>
        <h2 id="queue-title">
          {queue.data
            ? `${pairs.length} ${pairs.length === 1 ? "pair" : "pairs"}${after ? `, after pair ${after}` : ""}`
            : "Pairs"}
        </h2>
        {queue.loading && <Loading what="the review queue" />}
        {queue.error && <ErrorNotice error={queue.error} what="the review queue" />}
        {queue.data && queue.data.withheld > 0 && (
          <>
            <WithheldMarker count={queue.data.withheld} what="review pair" />
            <p className="hint">
              Counted {after || queue.data.next_after ? "for this stretch of the queue" : "across the queue"}: each
              holds a record that your purpose's agreements do not share, so it is not listed.
            </p>
          </>
        )}
        {queue.data && pairs.length === 0 && (
          <p>
            {queue.data.next_after
              ? "None of the pairs read so far is one you may see. Go to the next page to read on."
              : status === "open"
                ? "There are no pairs you may see waiting for a decision."
                : "No pairs you may see have this status."}
          </p>
        )}
        {pairs.length > 0 && (
          <ReviewScroll label="Review queue">
            <table className="review-queue">
              <caption>
                {STATUSES.find((s) => s.value === status)?.label ?? "Pairs"}, oldest first as the hub queued
                them. Open a pair to compare the records in full.
              </caption>
              <TableHead columns={["Pair", "Record A", "Record B", "Chance they are the same person", "Why it scored this way"]} />
              <tbody>
                {pairs.map((p) => (
                  <tr key={p.review_pair_id}>
                    <th scope="row">
                      <Link to={`/review/${p.review_pair_id}`} aria-label={`Review pair ${p.review_pair_id}`}>
                        Pair {p.review_pair_id}
                      </Link>
                      {status !== "open" && (
                        <div className="review-status-small">{statusText(p.status)}</div>
                      )}
                    </th>
                    <td>
                      <RecordFacts record={p.records[0].record} />
                    </td>
                    <td>
                      <RecordFacts record={p.records[1].record} />
                    </td>
                    <td>
                      <Probability pair={p} />
                    </td>
                    <td>
                      <WaterfallSummary waterfall={p.waterfall} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ReviewScroll>
        )}
        {queue.data && (
          <Pager
            label="Pages of the queue"
            back={Boolean(after) && { label: "First page", onClick: () => go(status) }}
            next={Boolean(queue.data.next_after) && { label: "Next page", onClick: () => go(status, queue.data!.next_after) }}
          />
        )}
      </section>
    </>
  );
}

// A record's key facts, compactly, for the queue.
function RecordFacts({ record }: { record: ReviewRecord }) {
  const name = displayName(record);
  const dob = record.fields.dob;
  const age = ageFrom(dob);
  return (
    <div className="review-facts">
      <div className="review-facts-name">
        {name || <span className="muted">{withheld(record, "person.name") ? "Name withheld" : "No name recorded"}</span>}
      </div>
      <div>
        {dob ? (
          <>
            Born {formatDate(dob)}
            {age !== null ? ` (age ${age})` : ""}
          </>
        ) : (
          <span className="muted">{withheld(record, "person.dob") ? "Date of birth withheld" : "No date of birth"}</span>
        )}
        {record.fields.sex && <>, {humanise(record.fields.sex).toLowerCase()}</>}
      </div>
      {record.fields.address?.postcode && <div>Postcode {record.fields.address.postcode}</div>}
      <div className="muted">
        {record.dataset} ({agencyName(record.agency)})
      </div>
    </div>
  );
}

function Probability({ pair }: { pair: ReviewPair }) {
  const p = pair.probability ?? pair.waterfall.probability;
  if (p === undefined) {
    return (
      <div className="review-prob">
        <span className="tag tag-withheld">Not shown</span>
        <div className="muted">
          {pair.waterfall.withheld_steps} comparison{pair.waterfall.withheld_steps === 1 ? "" : "s"} use fields
          withheld from you, so the score is not given.
        </div>
      </div>
    );
  }
  return (
    <div className="review-prob">
      <span className="review-prob-number">{percent(p)}</span>
      <div>{probabilityWords(p)}</div>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// One pair

export function ReviewPairPage({ id }: { id: string }) {
  const session = useSession();
  const pair = useApi<ReviewPair>(`/review/${encodeURIComponent(id)}`);

  if (!pair.data) {
    return (
      <PagePending
        heading={`Review pair ${id}`}
        resource={pair}
        loading="the pair"
        what="review pair"
        notFound={`There is no review pair ${id}, or one of its records is not shared for your purpose.`}
        back={{ to: "/review", label: "Back to the review queue" }}
      />
    );
  }

  const p = pair.data;
  const [a, b] = p.records;
  const probability = p.probability ?? p.waterfall.probability;
  const decided = p.status === "accepted" || p.status === "rejected";
  const canDecide = session.hasRole("practitioner");

  return (
    <>
      <p className="review-back">
        <Link to="/review">Back to the review queue</Link>
      </p>
      <h1>Review pair {p.review_pair_id}: are these the same person?</h1>

      <div className="review-summary panel">
        <dl className="facts">
          <Fact label="Status">{statusText(p.status)}</Fact>
          <Fact label="Queued">{formatDateTime(p.created_at)}</Fact>
        </dl>
        {probability !== undefined ? (
          <p className="review-summary-score">
            <span className="review-prob-number">{percent(probability)}</span> chance they are the same
            person: {probabilityWords(probability)}.
            {p.waterfall.decision && <span className="review-band"> {decisionWords(p.waterfall.decision)}.</span>}
          </p>
        ) : (
          <p>
            <span className="tag tag-withheld">Score not shown</span> {p.waterfall.withheld_steps} of the comparisons
            read fields your purpose's agreements do not share, so the hub does not give the total score.
          </p>
        )}
      </div>

      <section aria-labelledby="compare-title">
        <h2 id="compare-title">The two records side by side</h2>
        <CompareTable a={a} b={b} />
        <RawValues a={a.record} b={b.record} />
      </section>

      <section aria-labelledby="waterfall-title">
        <h2 id="waterfall-title">How the match was scored</h2>
        <p>
          The hub compares the records field by field. Each comparison adds evidence that they are the same
          person (a positive weight) or different people (a negative weight).
        </p>
        <Waterfall waterfall={p.waterfall} />
      </section>

      <section aria-labelledby="decision-title">
        <h2 id="decision-title">{decided ? "Decision" : "Your decision"}</h2>
        {p.decided_by && (
          <div className="notice notice-info review-decided">
            <p>
              <strong>{statusText(p.status)}</strong>, recorded by {p.decided_by.replace(/^user:/, "")}
              {p.decided_at ? ` on ${formatDateTime(p.decided_at)}` : ""}.
            </p>
            {p.reason && (
              <p>
                <span className="muted">Reason: </span>
                {p.reason}
              </p>
            )}
          </div>
        )}
        {decided ? (
          <p>
            This pair has been decided, so it cannot be decided again here.
            {canDecide ? " If the decision was wrong, merge or split the people below." : ""}
          </p>
        ) : canDecide ? (
          <DecisionForm pair={p} />
        ) : (
          <p>
            You can compare these records, but only practitioners may decide whether they are the same person.
            You are signed in as {session.status?.user.roles.map((r) => humanise(r).toLowerCase()).join(", ")}.
          </p>
        )}
      </section>

      {canDecide && <Corrections a={a} b={b} />}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// The side-by-side comparison

type Agreement = "same" | "differs" | "partly same" | "one side" | "neither" | "withheld" | "not compared";

interface Row {
  label: string;
  a: ReactNode;
  b: ReactNode;
  agreement: Agreement;
  // "person": who the record says the person is; "source": where the record comes from (records
  // from different agencies naturally differ here, so these rows are not counted or highlighted).
  group: "person" | "source";
}

const MISSING = <span className="muted">Not recorded</span>;
const WITHHELD = <span className="tag tag-withheld">Withheld</span>;

// Compare two values (or sets of values), each normalised to strings; null when not recorded.
function agree(
  a: string[] | null,
  b: string[] | null,
  aWithheld: boolean,
  bWithheld: boolean,
): Agreement {
  if (aWithheld || bWithheld) return "withheld";
  const x = a && a.length ? a : null;
  const y = b && b.length ? b : null;
  if (!x && !y) return "neither";
  if (!x || !y) return "one side";
  const sx = new Set(x);
  const sy = new Set(y);
  const common = [...sx].filter((v) => sy.has(v)).length;
  if (common === sx.size && common === sy.size) return "same";
  if (common > 0) return "partly same";
  return "differs";
}

function list(items: string[] | undefined): ReactNode {
  if (!items || items.length === 0) return null;
  if (items.length === 1) return items[0];
  return (
    <ul className="review-cell-list">
      {items.map((i) => (
        <li key={i}>{i}</li>
      ))}
    </ul>
  );
}

function cell(content: ReactNode, isWithheld: boolean): ReactNode {
  if (isWithheld) return WITHHELD;
  return content ?? MISSING;
}

function buildRows(a: ReviewRecord, b: ReviewRecord): Row[] {
  const rows: Row[] = [];
  const add = (
    label: string,
    path: string | null,
    show: (r: ReviewRecord) => ReactNode,
    key: (r: ReviewRecord) => string[] | null,
    always = true,
    group: Row["group"] = "person",
  ) => {
    const wa = path ? withheld(a, path) : false;
    const wb = path ? withheld(b, path) : false;
    const ka = wa ? null : key(a);
    const kb = wb ? null : key(b);
    if (!always && !(ka && ka.length) && !(kb && kb.length) && !wa && !wb) return;
    rows.push({ label, a: cell(wa ? null : show(a), wa), b: cell(wb ? null : show(b), wb), agreement: agree(ka, kb, wa, wb), group });
  };
  const nameKey = (r: ReviewRecord) => {
    const n = r.fields.name;
    if (!n) return null;
    const s = [n.given, n.middle, n.family].filter(Boolean).join(" ").toUpperCase().replace(/\s+/g, " ").trim();
    return s ? [s] : null;
  };
  add("Name", "person.name", (r) => displayName(r) || null, nameKey);
  add(
    "Other names",
    "person.name",
    (r) => list(r.fields.aliases?.map((n) => n.display)),
    (r) => r.fields.aliases?.map((n) => n.display.toUpperCase()) ?? null,
    false,
  );
  add(
    "Date of birth",
    "person.dob",
    (r) => {
      if (!r.fields.dob) return null;
      const age = ageFrom(r.fields.dob);
      return `${formatDate(r.fields.dob)}${age !== null ? ` (age ${age})` : ""}`;
    },
    (r) => (r.fields.dob ? [r.fields.dob] : null),
  );
  add("Sex", "person.sex", (r) => (r.fields.sex ? humanise(r.fields.sex) : null), (r) => (r.fields.sex ? [r.fields.sex] : null));
  add(
    "NHS number",
    "person.nhs_number",
    (r) => {
      const n = r.fields.nhs_number;
      if (!n) return null;
      return (
        <>
          {nhsNumber(n.value)}
          {!n.valid && <span className="tag review-tag-invalid">invalid check digit</span>}
        </>
      );
    },
    (r) => (r.fields.nhs_number ? [r.fields.nhs_number.value.replace(/\s+/g, "")] : null),
  );
  add(
    "Other identifiers",
    "person.identifiers",
    (r) =>
      list(r.fields.identifiers?.map((i) => `${humanise(i.kind)}: ${i.value}${i.valid === false ? " (invalid)" : ""}`)),
    (r) => r.fields.identifiers?.map((i) => `${i.kind}:${i.value.toUpperCase()}`) ?? null,
  );
  add(
    "Address",
    "person.address",
    (r) => r.fields.address?.address || null,
    (r) => (r.fields.address?.address ? [r.fields.address.address.toUpperCase().replace(/[\s,]+/g, " ").trim()] : null),
  );
  add(
    "Postcode",
    "person.address",
    (r) => r.fields.address?.postcode || null,
    (r) => (r.fields.address?.postcode ? [r.fields.address.postcode.toUpperCase().replace(/\s+/g, "")] : null),
  );
  add("Phone numbers", "person.phone", (r) => list(r.fields.phones), (r) => r.fields.phones?.map((p) => p.replace(/[\s()-]+/g, "")) ?? null);
  add("Email addresses", "person.email", (r) => list(r.fields.emails), (r) => r.fields.emails?.map((e) => e.toLowerCase()) ?? null);
  add("Role in the record", null, (r) => humanise(r.role), (r) => [r.role], true, "source");
  add("Agency", null, (r) => agencyName(r.agency), (r) => [r.agency], true, "source");
  add("Dataset", null, (r) => r.dataset, (r) => [r.source_id], true, "source");
  add(
    "Record key",
    null,
    (r) => (
      <>
        {r.record_key} <span className="muted">(version {r.version})</span>
        {r.deleted && <span className="tag tag-conflict">deleted at source</span>}
      </>
    ),
    (r) => [`${r.source_id}:${r.record_key}`],
    true,
    "source",
  );
  rows.push({
    label: "Received by the hub",
    a: formatDateTime(a.received_at),
    b: formatDateTime(b.received_at),
    agreement: "not compared",
    group: "source",
  });
  return rows;
}

const AGREEMENT_TEXT: Record<Agreement, string> = {
  same: "same",
  differs: "differs",
  "partly same": "partly same",
  "one side": "on one record only",
  neither: "on neither",
  withheld: "cannot compare: withheld",
  "not compared": "not compared",
};

function CompareTable({ a, b }: { a: ReviewPair["records"][0]; b: ReviewPair["records"][0] }) {
  const rows = buildRows(a.record, b.record);
  const person = rows.filter((r) => r.group === "person");
  const source = rows.filter((r) => r.group === "source");
  const differing = person.filter((r) => r.agreement === "differs").map((r) => r.label.toLowerCase());
  const same = person.filter((r) => r.agreement === "same").map((r) => r.label.toLowerCase());
  const withheldRows = person.filter((r) => r.agreement === "withheld").length;
  const line = (r: Row, highlight: boolean) => (
    <tr key={r.label} className={highlight && r.agreement === "differs" ? "review-row-differs" : undefined}>
      <th scope="row">{r.label}</th>
      <td>{r.a}</td>
      <td>{r.b}</td>
      <td>
        <AgreementTag agreement={r.agreement} />
      </td>
    </tr>
  );
  return (
    <>
      <p>
        {same.length > 0 ? `The same on both: ${same.join(", ")}. ` : "No identifying detail is the same on both. "}
        {differing.length > 0 ? `Different: ${differing.join(", ")}.` : "No identifying detail differs outright."}
        {withheldRows > 0 ? ` ${withheldRows} cannot be compared because they are withheld from you.` : ""}
      </p>
      <ReviewScroll label="Record comparison">
        <table className="review-compare">
          <caption>Record A and record B, field by field, with whether they agree</caption>
          <TableHead
            columns={[
              "Field",
              <>
                Record A <span className="review-col-sub">{a.record.dataset}</span>
              </>,
              <>
                Record B <span className="review-col-sub">{b.record.dataset}</span>
              </>,
              "Agreement",
            ]}
          />
          <tbody>
            <tr className="review-group-row">
              <th scope="rowgroup" colSpan={4}>
                Who the records describe
              </th>
            </tr>
            <tr>
              <th scope="row">Person on the hub now</th>
              <td>
                <NominalLink id={a.nominal_id} />
              </td>
              <td>
                <NominalLink id={b.nominal_id} />
              </td>
              <td>
                {a.nominal_id && a.nominal_id === b.nominal_id ? (
                  <span className="tag review-tag-same">same</span>
                ) : (
                  <span className="muted">two people now</span>
                )}
              </td>
            </tr>
            {person.map((r) => line(r, true))}
          </tbody>
          <tbody>
            <tr className="review-group-row">
              <th scope="rowgroup" colSpan={4}>
                Where the records come from
              </th>
            </tr>
            {source.map((r) => line(r, false))}
          </tbody>
        </table>
      </ReviewScroll>
    </>
  );
}

function AgreementTag({ agreement }: { agreement: Agreement }) {
  const text = AGREEMENT_TEXT[agreement];
  if (agreement === "same") return <span className="tag review-tag-same">{text}</span>;
  if (agreement === "differs") return <span className="tag review-tag-differs">{text}</span>;
  if (agreement === "partly same") return <span className="tag review-tag-partly">{text}</span>;
  return <span className="muted">{text}</span>;
}

function NominalLink({ id }: { id: number }) {
  if (!id) return <span className="muted">Not in any person yet</span>;
  return <Link to={`/person/${id}`}>Person {id}</Link>;
}

// The values as each source sent them, when the agreements share them (record.raw).
function RawValues({ a, b }: { a: ReviewRecord; b: ReviewRecord }) {
  const sides = [
    { label: "Record A", r: a },
    { label: "Record B", r: b },
  ].filter((s) => s.r.fields.raw && Object.keys(s.r.fields.raw).length > 0);
  if (sides.length === 0) return null;
  return (
    <details className="review-raw">
      <summary>As each source sent it ({sides.map((s) => s.label).join(" and ")})</summary>
      <div className="grid-2">
        {sides.map((s) => (
          <table key={s.label}>
            <caption>
              {s.label}: {s.r.dataset}, record {s.r.record_key}
            </caption>
            <TableHead columns={["Source field", "Value"]} />
            <tbody>
              {Object.entries(s.r.fields.raw!).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>{v || <span className="muted">Blank</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
    </details>
  );
}

// ---------------------------------------------------------------------------------------------
// Deciding

const DECISIONS: RadioOption<"accept" | "reject">[] = [
  { value: "accept", label: "Same person (accept)", hint: "The hub will link the two records, and show them as one person." },
  { value: "reject", label: "Different people (reject)", hint: "The hub will keep the two records apart, and will not link them later." },
];

function DecisionForm({ pair }: { pair: ReviewPair }) {
  const [decision, setDecision] = useState<"" | "accept" | "reject">("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<{ decision?: string; reason?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: { decision?: string; reason?: string } = {};
    if (!decision) errs.decision = "Choose whether these records are the same person.";
    if (!reason.trim()) errs.reason = "Give a reason for your decision: it is kept with it.";
    setErrors(errs);
    setFailure(null);
    if (Object.keys(errs).length > 0) {
      setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    setBusy(true);
    try {
      const r = await api<ReviewDecisionResult>(`/review/${pair.review_pair_id}/decision`, {
        method: "POST",
        body: { decision, reason: reason.trim() },
      });
      const n = r.link_decisions.length;
      flash = {
        pairId: r.review_pair_id,
        text:
          `Decision recorded for pair ${r.review_pair_id}: ${decision === "accept" ? "they are the same person (accepted)" : "they are different people (rejected)"}. ` +
          `${n} link decision${n === 1 ? " was" : "s were"} kept with your reason; ` +
          (decision === "accept"
            ? "the resolver will join the two records into one person within seconds."
            : "the resolver will keep these records apart from now on, within seconds."),
      };
      navigate("/review");
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError) {
        if (err.status === 409) setFailure(`Not recorded: ${err.detail || "this pair has already been decided"}. Reload the page to see the decision.`);
        else if (err.status === 403) setFailure(`You may not decide this pair under your stated purpose or role. ${err.detail}`);
        else if (err.status === 404) setFailure("This pair, or one of its records, is no longer one you may see.");
        else setFailure(err.detail || err.title);
      } else {
        setFailure(String(err));
      }
      setTimeout(() => summaryRef.current?.focus(), 0);
    }
  }

  const hasErrors = Boolean(errors.decision || errors.reason);
  return (
    <form onSubmit={submit} noValidate className="review-decision">
      {(hasErrors || failure) && (
        <div className="notice notice-error" role="alert" tabIndex={-1} ref={summaryRef}>
          {failure ? (
            failure
          ) : (
            <>
              <strong>There is a problem</strong>
              <ul>
                {errors.decision && (
                  <li>
                    <a href="#decision-accept">{errors.decision}</a>
                  </li>
                )}
                {errors.reason && (
                  <li>
                    <a href="#decision-reason">{errors.reason}</a>
                  </li>
                )}
              </ul>
            </>
          )}
        </div>
      )}
      <fieldset className="field" aria-describedby={errors.decision ? "decision-error" : undefined}>
        <legend>Are record A and record B the same person?</legend>
        {errors.decision && <FieldError id="decision-error">{errors.decision}</FieldError>}
        <RadioGroup name="decision" value={decision} onChange={setDecision} options={DECISIONS} />
      </fieldset>
      <ReasonField
        id="decision-reason"
        label="Reason for your decision"
        value={reason}
        onChange={setReason}
        error={errors.reason}
        hint="Kept with the decision for anyone who checks it later: for example what you compared or who you asked."
      />
      <button type="submit" disabled={busy}>
        {busy ? "Recording…" : "Record decision"}
      </button>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// Correcting the people the records are in

function Corrections({ a, b }: { a: ReviewPair["records"][0]; b: ReviewPair["records"][0] }) {
  const [open, setOpen] = useState(false);
  const nominals = [
    { side: "A", nominal: a.nominal_id, record: a.record.person_record_id },
    { side: "B", nominal: b.nominal_id, record: b.record.person_record_id },
  ].filter((n) => n.nominal);
  if (nominals.length === 0) return null;
  const distinct = nominals.length === 2 && a.nominal_id !== b.nominal_id;
  return (
    <section aria-labelledby="corrections-title">
      <h2 id="corrections-title">Correct the people these records are in</h2>
      <details className="review-corrections" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
        <summary>Merge the two people, or split records off one of them</summary>
        <p>
          Deciding the pair above is usually enough. Use these when the people on the hub are wrong in a
          wider way: when two people are one person, or when a person holds someone else's records.
        </p>
        {open && (
          <>
            {distinct && <MergeForm nominalId={a.nominal_id} suggestedOther={b.nominal_id} />}
            {nominals.map((n) => (
              <SplitFor key={n.side} side={n.side} nominalId={n.nominal} recordId={n.record} />
            ))}
          </>
        )}
      </details>
    </section>
  );
}

// The split form for the person a record is in, with that person's visible records as choices.
function SplitFor({ side, nominalId, recordId }: { side: string; nominalId: number; recordId: number }) {
  const profile = useApi<Profile>(`/nominals/${nominalId}`);
  if (profile.loading) return <Loading what={`person ${nominalId}'s records`} />;
  if (profile.error) return <ErrorNotice error={profile.error} what={`person ${nominalId}'s records`} />;
  if (!profile.data) return null;
  const records = profile.data.records.map((r) => ({
    person_record_id: r.person_record_id,
    label:
      `${r.fields.name?.display ?? "No name"}` +
      `${r.fields.dob ? `, born ${formatDate(r.fields.dob)}` : ""}` +
      ` — ${r.dataset}, record ${r.record_key}` +
      `${r.person_record_id === recordId ? ` (record ${side} of this pair)` : ""}`,
  }));
  return (
    <div className="review-split-for">
      <p>
        Person {profile.data.nominal_id}, who holds record {side}, has {records.length} record
        {records.length === 1 ? "" : "s"} you may see
        {profile.data.withheld.total > 0 ? ` and ${profile.data.withheld.total} withheld from you` : ""}.
      </p>
      <SplitForm nominalId={profile.data.nominal_id} records={records} />
    </div>
  );
}
