// Who is signed in, what purpose they have stated, and when their session will end.
//
// The session lives on the server (an HttpOnly cookie); this context mirrors its status. The
// stated purpose and justification are kept in sessionStorage (this tab only) and sent on every
// request; changing them is an explicit act on the purpose page. Before the idle timeout the
// user is warned and can stay signed in; at expiry they are signed out and told why.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { api, ApiError, setActivityHandler, setStated, setUnauthenticatedHandler, type Stated } from "./api";
import type { SessionStatus } from "./types";

const STORAGE_KEY = "tessera.stated";

export interface SessionState {
  status: SessionStatus | null;
  loading: boolean;
  // Why the user was signed out, when they did not do it themselves.
  endedReason: string | null;
  stated: Stated | null;
  signIn(username: string, password: string): Promise<void>;
  signOut(reason?: string): Promise<void>;
  refresh(): Promise<void>;
  state(s: Stated | null): void;
  // Seconds left before the idle timeout, while the warning shows; null otherwise.
  warningSeconds: number | null;
  staySignedIn(): Promise<void>;
  hasRole(...roles: string[]): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

function loadStated(): Stated | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Stated;
    return s.purpose && s.justification ? s : null;
  } catch {
    return null;
  }
}

const WARN_BEFORE_SECONDS = 120;

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus | null>(null);
  const [loading, setLoading] = useState(true);
  const [endedReason, setEndedReason] = useState<string | null>(null);
  const [stated, setStatedState] = useState<Stated | null>(() => {
    const s = loadStated();
    setStated(s);
    return s;
  });
  const [warningSeconds, setWarningSeconds] = useState<number | null>(null);
  // When the server will end the session for idleness, in local ms; moved on by any request.
  const idleDeadline = useRef<number>(0);
  const idleTimeout = useRef<number>(900);

  const clearLocal = useCallback((reason: string | null) => {
    setStatus(null);
    setStated(null);
    setStatedState(null);
    sessionStorage.removeItem(STORAGE_KEY);
    setWarningSeconds(null);
    setEndedReason(reason);
  }, []);

  const refresh = useCallback(async () => {
    try {
      const s = await api<SessionStatus>("/session", { anonymous: true });
      setStatus(s);
      idleTimeout.current = s.idle_timeout_seconds;
      idleDeadline.current = Date.now() + s.idle_timeout_seconds * 1000;
      // A purpose no longer open to the user (agreement ended, role changed) is dropped.
      const st = loadStated();
      if (st && !s.purposes.some((p) => p.code === st.purpose) && s.break_glass?.purpose !== st.purpose) {
        setStated(null);
        setStatedState(null);
        sessionStorage.removeItem(STORAGE_KEY);
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setStatus(null);
      else throw e;
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    refresh().catch(() => setLoading(false));
  }, [refresh]);

  useEffect(() => {
    setUnauthenticatedHandler(() => clearLocal("Your session has ended. Sign in again to carry on."));
    setActivityHandler(() => {
      idleDeadline.current = Date.now() + idleTimeout.current * 1000;
    });
    return () => {
      setUnauthenticatedHandler(null);
      setActivityHandler(null);
    };
  }, [clearLocal]);

  // The idle clock: warn before the server's idle timeout, sign out at it.
  useEffect(() => {
    if (!status) return;
    const t = window.setInterval(() => {
      const left = Math.round((idleDeadline.current - Date.now()) / 1000);
      if (left <= 0) {
        window.clearInterval(t);
        api("/session", { method: "DELETE", anonymous: true }).catch(() => undefined);
        clearLocal("You were signed out because you had not used Tessera for a while.");
      } else if (left <= WARN_BEFORE_SECONDS) {
        setWarningSeconds(left);
      } else {
        setWarningSeconds(null);
      }
    }, 1000);
    return () => window.clearInterval(t);
  }, [status, clearLocal]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      await api("/session", { method: "POST", body: { username, password }, anonymous: true });
      setEndedReason(null);
      await refresh();
    },
    [refresh],
  );

  const signOut = useCallback(
    async (reason?: string) => {
      try {
        await api("/session", { method: "DELETE", anonymous: true });
      } finally {
        clearLocal(reason ?? null);
      }
    },
    [clearLocal],
  );

  const state = useCallback((s: Stated | null) => {
    setStated(s);
    setStatedState(s);
    if (s) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(STORAGE_KEY);
  }, []);

  const staySignedIn = useCallback(async () => {
    await refresh();
    setWarningSeconds(null);
  }, [refresh]);

  const hasRole = useCallback((...roles: string[]) => !!status && status.user.roles.some((r) => roles.includes(r)), [status]);

  const value = useMemo<SessionState>(
    () => ({ status, loading, endedReason, stated, signIn, signOut, refresh, state, warningSeconds, staySignedIn, hasRole }),
    [status, loading, endedReason, stated, signIn, signOut, refresh, state, warningSeconds, staySignedIn, hasRole],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
