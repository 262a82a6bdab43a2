// How every page says it is loading, failed, or found nothing.
import type { ReactNode } from "react";
import type { ApiError } from "../lib/api";
import type { Loaded } from "../lib/useApi";
import { Link } from "../lib/router";

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}

export function ErrorNotice({ error, what }: { error: ApiError; what: string }) {
  let text = error.detail || error.title;
  if (error.status === 403) text = `You may not see ${what} under your stated purpose. ${error.detail ?? ""}`;
  if (error.status === 404) text = "It does not exist, or it is not shared with you for your stated purpose.";
  return (
    <div className="notice notice-error" role="alert">
      <strong>Could not load {what}.</strong> {text}
    </div>
  );
}

// A page whose subject has not loaded: its heading, then "Loading…", or why it could not load
// (`notFound`, in the page's own words, when there is no such thing or none the user may see)
// and the way `back`.
export function PagePending({
  heading,
  resource,
  loading,
  what,
  notFound,
  back,
}: {
  heading: ReactNode;
  resource: Loaded<unknown>;
  loading: string;
  what: string;
  notFound: ReactNode;
  back: { to: string; label: string };
}) {
  return (
    <>
      <h1>{heading}</h1>
      {resource.loading ? (
        <Loading what={loading} />
      ) : (
        <>
          {resource.error &&
            (resource.error.status === 404 ? (
              <div className="notice notice-error" role="alert">
                {notFound}
              </div>
            ) : (
              <ErrorNotice error={resource.error} what={what} />
            ))}
          <p>
            <Link to={back.to}>{back.label}</Link>
          </p>
        </>
      )}
    </>
  );
}

// A part of a page with its own request: "Loading…", why it failed, or `children` with the data.
export function WhenLoaded<T>({ resource, what, children }: { resource: Loaded<T>; what: string; children: (data: T) => ReactNode }) {
  return (
    <>
      {resource.loading && <Loading what={what} />}
      {resource.error && <ErrorNotice error={resource.error} what={what} />}
      {resource.data && children(resource.data)}
    </>
  );
}

// "Withheld under agreement terms": something exists that the user's agreements do not share.
export function WithheldMarker({ count, what, reasons }: { count: number; what: string; reasons?: string[] }) {
  if (count <= 0) return null;
  return (
    <div className="withheld" role="note">
      <span className="withheld-icon" aria-hidden="true">
        ⊘
      </span>{" "}
      <strong>Withheld under agreement terms:</strong> {count} {what}
      {count === 1 ? "" : "s"} not shared for your purpose
      {reasons && reasons.length > 0 ? ` (${reasons.join("; ")})` : ""}.
    </div>
  );
}
