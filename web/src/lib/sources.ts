// The hub's sources (each a partner's dataset; not personal data): the list from GET /sources or
// a view's freshness block, by id, and the words for one: "Homelessness applications (Housing)".
import { useMemo } from "react";
import { useApi, type Loaded } from "./useApi";
import { agencyName } from "./format";
import type { Freshness } from "./types";

export type Sources = Map<string, Freshness>;

export function sourcesById(list: Freshness[] | undefined | null): Sources {
  return new Map((list ?? []).map((s) => [s.source_id, s]));
}

export function useSources(): { sources: Loaded<{ sources: Freshness[] }>; byId: Sources } {
  const sources = useApi<{ sources: Freshness[] }>("/sources");
  const byId = useMemo(() => sourcesById(sources.data?.sources), [sources.data]);
  return { sources, byId };
}

// A source by its dataset and agency; one the hub does not know as `unknown` (by default its id).
export function sourceLabel(id: string, byId: Sources, unknown: string = id): string {
  const s = byId.get(id);
  return s ? `${s.dataset} (${agencyName(s.agency)})` : unknown;
}
