import { useState, type FormEvent } from "react";
import { ApiError } from "../lib/api";
import { useSession } from "../lib/session";

export function SignInPage() {
  const session = useSession();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (!username.trim() || !password) {
      setError("Enter your username and password.");
      return;
    }
    setBusy(true);
    try {
      await session.signIn(username.trim(), password);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError("The username or password is not right.");
      else if (err instanceof ApiError && err.status === 429) setError(err.detail || "Too many attempts. Wait a few minutes and try again.");
      else if (err instanceof ApiError) setError(err.detail || err.title);
      else setError("Sign-in failed. Try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <h1>Sign in to Tessera</h1>
      <p>
        Tessera joins up what partner agencies know about people and families, so you see the whole
        picture at the time of need. You will see only what the information-sharing agreements
        allow for the purpose you state, and every search and view is recorded.
      </p>
      {error && (
        <div className="notice notice-error" role="alert" id="signin-error">
          {error}
        </div>
      )}
      <form onSubmit={submit} noValidate aria-describedby={error ? "signin-error" : undefined}>
        <div className="field">
          <label htmlFor="username">Username</label>
          <input id="username" name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}
