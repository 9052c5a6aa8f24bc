import { useEffect, useMemo, useState } from "preact/hooks";
import type { Session } from "../api/client";
import { logOut as apiLogOut } from "../api/client";
import { unsentWarning } from "./unsentWarning";
import { DocClient } from "../sync/client";
import { clearSession, loadSession, saveSession } from "../session";
import { Ctx, type AppContext } from "./context";
import { Shell } from "./Shell";
import { AuthScreen } from "./screens/AuthScreen";
import { applyTheme, loadTheme } from "./theme";
import { PendingEdits } from "./parts/PendingEdits";

// Before the first render, so a dark-mode device never flashes a white page.
applyTheme(loadTheme());

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  if (!session) {
    return (
      <AuthScreen
        onSession={(s) => {
          saveSession(s);
          // Whatever screen was open before logging out, a new session starts on Today.
          history.replaceState(null, "", "#/today");
          setSession(s);
        }}
      />
    );
  }
  return <SignedIn key={session.docId} session={session} onLoggedOut={() => setSession(null)} />;
}

function SignedIn({ session, onLoggedOut }: { session: Session; onLoggedOut: () => void }) {
  const [client, setClient] = useState<DocClient | null>(null);
  const [version, setVersion] = useState(0);
  const [now, setNow] = useState(() => new Date());

  useEffect(() => {
    const c = new DocClient(session);
    setClient(c);
    // The clock moves with every update, so an interaction logged "now" is never in the future.
    const off = c.subscribe(() => {
      setVersion((v) => v + 1);
      setNow(new Date());
    });
    const tick = setInterval(() => setNow(new Date()), 60_000);
    return () => {
      off();
      clearInterval(tick);
      void c.close(false);
    };
  }, [session]);

  const view = client?.view ?? null;
  const ctx = useMemo<AppContext | null>(() => {
    if (!client || !view) return null;
    return {
      session,
      view,
      now,
      sync: client.state,
      syncDetail: client.detail,
      op: client.op.bind(client),
      pending: () => client.pending(),
      save: () => client.save(),
      logOut: async () => {
        const warning = unsentWarning({ allSent: client.allSent, queued: client.queued.length, applying: client.pending(), state: client.state });
        if (warning && !confirm(warning)) return;
        await apiLogOut(session.token).catch(() => undefined);
        await client.close(true);
        clearSession();
        onLoggedOut();
      },
    };
  }, [client, view, now, version, session]);

  if (client?.failure && !view) {
    return (
      <main class="center-card">
        <h1>Can't open your data</h1>
        <p role="alert">{client.failure}</p>
        <p>If this device has never been online with your account, connect to the internet and retry.</p>
        <button onClick={() => window.location.reload()}>Retry</button>{" "}
        <button
          class="secondary"
          onClick={() => {
            clearSession();
            onLoggedOut();
          }}
        >
          Log out
        </button>
      </main>
    );
  }
  if (!ctx) {
    return (
      <main class="center-card" aria-busy="true">
        <p>Opening your people…</p>
      </main>
    );
  }
  return (
    <Ctx.Provider value={ctx}>
      <Shell />
      {client && <PendingEdits client={client} />}
    </Ctx.Provider>
  );
}
