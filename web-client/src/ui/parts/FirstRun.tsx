import { useEffect, useState } from "preact/hooks";
import { currentSubscription, pushSupported } from "../../push";
import type { PersonRow } from "../../view/people";
import { useApp } from "../context";
import { Icon } from "./Icon";

const DISMISSED = "kith.setupDone";

export interface SetupState {
  hasPeople: boolean;
  hasCadence: boolean;
  reminders: boolean;
  /** Shown until every step is done or the user said "I'm done". */
  show: boolean;
  dismiss: () => void;
}

function dismissedBefore(): boolean {
  try {
    return localStorage.getItem(DISMISSED) === "1";
  } catch {
    return false;
  }
}

/** Where a new account stands: people added, a cadence set, reminders on this device. */
export function useSetupState(rows: PersonRow[]): SetupState {
  const [reminders, setReminders] = useState(false);
  const [dismissed, setDismissed] = useState(dismissedBefore);
  useEffect(() => {
    if (!pushSupported()) return;
    currentSubscription()
      .then((s) => setReminders(s !== null))
      .catch(() => undefined);
  }, []);
  const hasPeople = rows.length > 0;
  const hasCadence = rows.some((r) => r.contact.cadenceDays !== null);
  const done = hasPeople && hasCadence && reminders;
  return {
    hasPeople,
    hasCadence,
    reminders,
    // Someone who already keeps in touch with people is past the first run.
    show: !done && !dismissed && !(hasCadence && rows.length > 20),
    dismiss: () => {
      try {
        localStorage.setItem(DISMISSED, "1");
      } catch {
        /* private mode */
      }
      setDismissed(true);
    },
  };
}

/** The first run, as three steps: people in, a cadence set, reminders on. */
export function FirstRun({ state, rows }: { state: SetupState; rows: PersonRow[] }) {
  const { op } = useApp();
  const step = !state.hasPeople ? 1 : !state.hasCadence ? 2 : 3;
  const firstFew = rows.filter((r) => r.contact.cadenceDays === null).slice(0, 3);
  return (
    <section class="panel first-run" aria-labelledby="setup-h" data-step={step}>
      <h2 id="setup-h">Get started with Kith</h2>
      <ol class="steps">
        <li class={state.hasPeople ? "done" : step === 1 ? "current" : ""}>
          <StepMark done={state.hasPeople} n={1} />
          <div>
            <strong>Bring in your people</strong>
            {step === 1 && (
              <p>
                <a class="button-link" href="#/import">
                  Import contacts
                </a>{" "}
                <a class="button-link secondary" href="#/people">
                  Add someone by hand
                </a>
              </p>
            )}
          </div>
        </li>
        <li class={state.hasCadence ? "done" : step === 2 ? "current" : ""}>
          <StepMark done={state.hasCadence} n={2} />
          <div>
            <strong>Choose who to keep in touch with</strong>
            {step === 2 && (
              <>
                <p class="muted small">Pick how often; Kith tells you when someone is due.</p>
                <ul class="setup-people">
                  {firstFew.map((r) => (
                    <li>
                      <span>{r.name}</span>
                      <button class="secondary" onClick={() => op("set cadence", "setCadence", r.contact.id, 30, new Date())} aria-label={`Keep in touch with ${r.name} every month`}>
                        Every month
                      </button>
                    </li>
                  ))}
                </ul>
                <p class="small">
                  <a href="#/people">Or choose on anyone's page</a>
                </p>
              </>
            )}
          </div>
        </li>
        <li class={state.reminders ? "done" : step === 3 ? "current" : ""}>
          <StepMark done={state.reminders} n={3} />
          <div>
            <strong>Get reminded</strong>
            {step === 3 && (
              <p>
                <a class="button-link" href="#/settings">
                  Turn on reminders
                </a>
              </p>
            )}
          </div>
        </li>
      </ol>
      <button class="link-btn" onClick={state.dismiss}>
        Skip the introduction
      </button>
    </section>
  );
}

function StepMark({ done, n }: { done: boolean; n: number }) {
  return (
    <span class="step-mark" aria-label={done ? "done" : `step ${n}`} role="img">
      {done ? <Icon name="check" size={16} /> : n}
    </span>
  );
}
