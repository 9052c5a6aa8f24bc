import { useState } from "preact/hooks";
import { logIn, signUp, type Session } from "../../api/client";

function defaultDeviceName(): string {
  const ua = navigator.userAgent;
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac/.test(ua) ? "Mac" : /Windows/.test(ua) ? "Windows" : "Linux";
  const browser = /Firefox/.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrome|Chromium/.test(ua) ? "Chrome" : /Safari/.test(ua) ? "Safari" : "Browser";
  return `${browser} on ${os}`;
}

export function AuthScreen({ onSession }: { onSession: (s: Session) => void }) {
  const [mode, setMode] = useState<"login" | "signup">("login");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [device, setDevice] = useState(defaultDeviceName);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  async function submit(e: Event) {
    e.preventDefault();
    setError("");
    if (mode === "signup" && password.length < 8) return setError("Use at least 8 characters for your password.");
    setBusy(true);
    try {
      onSession(mode === "signup" ? await signUp(email.trim(), password) : await logIn(email.trim(), password, device.trim() || "Browser"));
    } catch (err) {
      const e2 = err as { status?: number; message?: string };
      setError(
        e2.status === 401 ? "Wrong email or password." : e2.status === 409 ? "An account with this email already exists." : e2.message ?? "Something went wrong.",
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="center-card auth">
      <h1 class="brand-big">Kith</h1>
      <p class="muted">Keep in touch with the people who matter.</p>
      <div class="tabs" role="tablist" aria-label="Sign in or create an account">
        <button role="tab" aria-selected={mode === "login"} class={mode === "login" ? "tab active" : "tab"} onClick={() => setMode("login")}>
          Log in
        </button>
        <button role="tab" aria-selected={mode === "signup"} class={mode === "signup" ? "tab active" : "tab"} onClick={() => setMode("signup")}>
          Sign up
        </button>
      </div>
      <form onSubmit={submit} class="stack">
        <label>
          Email
          <input type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autocomplete={mode === "signup" ? "new-password" : "current-password"}
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {mode === "login" && (
          <label>
            Device name
            <input name="device" value={device} onInput={(e) => setDevice(e.currentTarget.value)} />
          </label>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Please wait…" : mode === "signup" ? "Create account" : "Log in"}
        </button>
      </form>
    </main>
  );
}
