// Loading a resource for a page: {data, error, loading, reload}. A new `path` or query aborts the
// request in flight, so a fast typist never sees stale results.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, asApiError, type ApiError, type RequestOptions } from "./api";

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(path: string | null, query?: RequestOptions["query"]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const key = path === null ? null : path + "?" + JSON.stringify(query ?? {});
  const queryRef = useRef(query);
  queryRef.current = query;

  useEffect(() => {
    if (key === null || path === null) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    api<T>(path, { query: queryRef.current, signal: controller.signal })
      .then((d) => {
        setData(d);
        setLoading(false);
      })
      .catch((e) => {
        if (e instanceof DOMException && e.name === "AbortError") return;
        setError(asApiError(e));
        setData(null);
        setLoading(false);
      });
    return () => controller.abort();
  }, [key, path, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
