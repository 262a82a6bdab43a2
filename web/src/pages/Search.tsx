// One search box that understands names (typos, nicknames, phonetics, swapped names), dates of
// birth, postcodes and identifiers, with filters. The query lives in the URL, so back and
// bookmarks work; "/" focuses the box from anywhere on the page.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, navigate, useLocation } from "../lib/router";
import { useApi } from "../lib/useApi";
import { ErrorNotice, Loading, WithheldMarker } from "../components/Status";
import { ageFrom, agencyName, formatDate, humanise } from "../lib/format";
import type { SearchResponse } from "../lib/types";
import { Fact } from "../components/Fact";
import { Choice } from "../components/FormParts";
import { useSources } from "../lib/sources";

export function SearchPage() {
  const { query } = useLocation();
  const q = query.get("q") ?? "";
  const dobFrom = query.get("dob_from") ?? "";
  const dobTo = query.get("dob_to") ?? "";
  const postcode = query.get("postcode") ?? "";
  const source = query.get("source") ?? "";
  const [text, setText] = useState(q);
  const [filters, setFilters] = useState({ dobFrom, dobTo, postcode, source: source ? source.split(",") : [] as string[] });
  const [showFilters, setShowFilters] = useState(Boolean(dobFrom || dobTo || postcode || source));
  const box = useRef<HTMLInputElement>(null);
  const searching = q || postcode || dobFrom || dobTo;
  const results = useApi<SearchResponse>(searching ? "/search" : null, { q, dob_from: dobFrom, dob_to: dobTo, postcode, source, limit: 25 });
  const { sources } = useSources();

  useEffect(() => setText(q), [q]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)) {
        e.preventDefault();
        box.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  function submit(e: FormEvent) {
    e.preventDefault();
    const p = new URLSearchParams();
    if (text.trim()) p.set("q", text.trim());
    if (filters.dobFrom) p.set("dob_from", filters.dobFrom);
    if (filters.dobTo) p.set("dob_to", filters.dobTo);
    if (filters.postcode.trim()) p.set("postcode", filters.postcode.trim());
    if (filters.source.length) p.set("source", filters.source.join(","));
    navigate("/search?" + p.toString());
  }

  function toggleSource(id: string) {
    setFilters((f) => ({ ...f, source: f.source.includes(id) ? f.source.filter((s) => s !== id) : [...f.source, id] }));
  }

  return (
    <>
      <h1>Search for a person</h1>
      <form role="search" onSubmit={submit} className="search-form">
        <label htmlFor="q">Name, date of birth, postcode or identifier</label>
        <p className="hint" id="q-hint">
          For example "Jon Smyth 12/03/2010", "M11 1YZ" or an NHS number. Spelling mistakes and nicknames are fine. Press / to come back here.
        </p>
        <div className="search-row">
          <input id="q" ref={box} type="search" aria-describedby="q-hint" value={text} onChange={(e) => setText(e.target.value)} autoFocus autoComplete="off" />
          <button type="submit">Search</button>
        </div>
        <button type="button" className="button-link" aria-expanded={showFilters} aria-controls="filters" onClick={() => setShowFilters((s) => !s)}>
          {showFilters ? "Hide filters" : "Show filters"}
        </button>
        {showFilters && (
          <div id="filters" className="filters">
            <div className="field-inline">
              <label htmlFor="dob_from">Born from</label>
              <input id="dob_from" type="date" value={filters.dobFrom} onChange={(e) => setFilters({ ...filters, dobFrom: e.target.value })} />
            </div>
            <div className="field-inline">
              <label htmlFor="dob_to">Born to</label>
              <input id="dob_to" type="date" value={filters.dobTo} onChange={(e) => setFilters({ ...filters, dobTo: e.target.value })} />
            </div>
            <div className="field-inline">
              <label htmlFor="postcode">Postcode or district</label>
              <input id="postcode" value={filters.postcode} size={10} onChange={(e) => setFilters({ ...filters, postcode: e.target.value })} />
            </div>
            {sources.data && (
              <fieldset className="field-inline">
                <legend>Only people known to these datasets</legend>
                <div className="checkbox-grid">
                  {sources.data.sources.map((s) => (
                    <Choice
                      key={s.source_id}
                      type="checkbox"
                      id={`src-${s.source_id}`}
                      checked={filters.source.includes(s.source_id)}
                      onChange={() => toggleSource(s.source_id)}
                      label={
                        <>
                          {s.dataset} <span className="muted">({agencyName(s.agency)})</span>
                        </>
                      }
                    />
                  ))}
                </div>
              </fieldset>
            )}
          </div>
        )}
      </form>

      <section aria-labelledby="results-title" aria-live="polite" aria-busy={results.loading}>
        {searching && (
          <h2 id="results-title" className="results-title">
            {results.loading ? "Searching…" : results.data ? `${results.data.results.length} ${results.data.results.length === 1 ? "person" : "people"} found` : "Results"}
          </h2>
        )}
        {results.loading && <Loading what="results" />}
        {results.error && <ErrorNotice error={results.error} what="search results" />}
        {results.data && results.data.results.length === 0 && (
          <p>No one you may see matches. Try fewer words, a different spelling, or remove filters.</p>
        )}
        {results.data && results.data.withheld && <WithheldMarker count={results.data.withheld.total} what="matching record" />}
        {results.data && results.data.results.length > 0 && (
          <ol className="results">
            {results.data.results.map((r) => {
              const age = ageFrom(r.dob);
              return (
                <li key={r.nominal_id} className="result">
                  <div className="result-head">
                    <Link to={`/person/${r.nominal_id}`} className="result-name">
                      {r.display_name}
                    </Link>
                    <span className="score" title="How closely this person matches what you typed">
                      Match {Math.round(r.score * 100)}%
                    </span>
                  </div>
                  <dl className="facts">
                    {r.dob && (
                      <Fact label="Born">
                        {formatDate(r.dob)}
                        {age !== null ? ` (age ${age})` : ""}
                      </Fact>
                    )}
                    {r.sex && <Fact label="Sex">{humanise(r.sex)}</Fact>}
                    {r.postcode && <Fact label="Postcode">{r.postcode}</Fact>}
                    <Fact label="Records">{r.visible_records}</Fact>
                  </dl>
                  <p className="why">
                    <span className="muted">Why: </span>
                    {r.reasons.join("; ")}
                  </p>
                </li>
              );
            })}
          </ol>
        )}
      </section>
      {!searching && (
        <p className="muted">
          Results show only people with records your stated purpose lets you see. Opening a person is
          recorded in the audit log.
        </p>
      )}
    </>
  );
}
