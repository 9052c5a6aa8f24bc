import { useState } from "preact/hooks";
import { ADDRESS_FIELDS, isSafeUrl, newId } from "../../doc/fields";
import { nextBirthday } from "../../doc/math";
import type { Address, Contact, LabeledValue } from "../../doc/schema";
import { addressLine, isEmail, linkHref, mapHref } from "../../view/memory";
import { useApp } from "../context";
import { checkDay, DayInput, dayDraftOf, formatDay } from "./DayInput";
import { Field } from "./Field";
import { useUndoable } from "../undo";
import { removeEntry, removeLink } from "../../view/undoable";

/** A person's details: read first (links that call, write, map, open), edited on demand. */
export function ContactDetails({ c, onReach }: { c: Contact; onReach?: (kind: "call" | "message" | "email") => void }) {
  const [editing, setEditing] = useState(false);
  return (
    <section class="panel" aria-labelledby="details-h" data-section="details">
      <div class="panel-head">
        <h2 id="details-h">Details</h2>
        <button class="secondary" aria-expanded={editing} onClick={() => setEditing(!editing)}>
          {editing ? "Done editing" : "Edit details"}
        </button>
      </div>
      {editing ? <DetailsForm c={c} /> : <DetailsRead c={c} onReach={onReach} />}
    </section>
  );
}

function DetailsRead({ c, onReach }: { c: Contact; onReach?: (kind: "call" | "message" | "email") => void }) {
  const { view, now } = useApp();
  const b = c.birthday;
  const next = b ? nextBirthday(b, now, view.settings.timezone) : null;
  const addresses = c.addresses.map((a) => ({ a, line: addressLine(a) })).filter((x) => x.line);
  const empty = !c.phones.length && !c.emails.length && !addresses.length && !c.urls.length && !b && !c.tags.length && !c.howWeMet && !c.nickname;
  if (empty) return <p class="muted">Nothing here yet — “Edit details” to add phones, emails, a birthday…</p>;
  return (
    <dl class="read">
      {c.nickname && <Item term="Nickname">{c.nickname}</Item>}
      {c.phones
        .filter((p) => p.value.trim())
        .map((p) => (
          <Item term={p.label || "Phone"}>
            <a href={`tel:${p.value.replace(/[^\d+*#,;]/g, "")}`} onClick={() => onReach?.("call")}>
              {p.value}
            </a>{" "}
            <a class="chip-link" href={`sms:${p.value.replace(/[^\d+]/g, "")}`} aria-label={`Text ${p.value}`} onClick={() => onReach?.("message")}>
              Text
            </a>
          </Item>
        ))}
      {c.emails
        .filter((e) => e.value.trim())
        .map((e) => (
          <Item term={e.label || "Email"}>
            <a href={`mailto:${e.value.trim()}`} onClick={() => onReach?.("email")}>
              {e.value}
            </a>
          </Item>
        ))}
      {addresses.map(({ a, line }) => (
        <Item term={a.label || "Address"}>
          <a href={mapHref(line)} target="_blank" rel="noopener noreferrer">
            {line}
          </a>
        </Item>
      ))}
      {c.urls
        .filter((u) => isSafeUrl(u.value))
        .map((u) => (
          <Item term={u.label || "Link"}>
            <a href={linkHref(u.value)} target="_blank" rel="noopener noreferrer">
              {u.value}
            </a>
          </Item>
        ))}
      {b && next && (
        <Item term="Birthday">
          {formatDay(b)}
          <span class="muted small">
            {" "}
            · {next.inDays === 0 ? "today" : `in ${next.inDays} days`}
            {next.age !== null ? `, turns ${next.age}` : ""}
          </span>
        </Item>
      )}
      {c.tags.length > 0 && (
        <Item term="Tags">
          <span class="tags">
            {c.tags.map((t) => (
              <span class="tag plain">#{t}</span>
            ))}
          </span>
        </Item>
      )}
      {c.howWeMet && <Item term="How we met">{c.howWeMet}</Item>}
    </dl>
  );
}

function Item({ term, children }: { term: string; children: preact.ComponentChildren }) {
  return (
    <div class="read-item">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Every editable field of a contact. */
function DetailsForm({ c }: { c: Contact }) {
  const { op } = useApp();
  const id = c.id;
  return (
    <div class="details">
      <div class="grid2">
        <Field label="Display name" name="display" value={c.name.display} onCommit={(v) => op("edit name", "setName", id, "display", v)} />
        <Field label="Nickname" name="nickname" value={c.nickname} onCommit={(v) => op("edit nickname", "setScalar", id, "nickname", v)} />
        <Field label="Given name" name="given" value={c.name.given} onCommit={(v) => op("edit name", "setName", id, "given", v)} />
        <Field label="Family name" name="family" value={c.name.family} onCommit={(v) => op("edit name", "setName", id, "family", v)} />
        <Field label="Pronouns" name="pronouns" value={c.pronouns} onCommit={(v) => op("edit pronouns", "setScalar", id, "pronouns", v.trim())} />
        <Field label="Company" name="company" value={c.company} onCommit={(v) => op("edit company", "setScalar", id, "company", v)} />
        <Field label="Department" name="department" value={c.department} onCommit={(v) => op("edit department", "setScalar", id, "department", v.trim())} />
        <Field label="Job title" name="title" value={c.title} onCommit={(v) => op("edit title", "setScalar", id, "title", v)} />
      </div>
      <Entries c={c} kind="emails" title="Email" type="email" />
      <Entries c={c} kind="phones" title="Phone" type="tel" />
      <Links c={c} />
      <Addresses c={c} />
      <BirthdayEditor c={c} />
      <Tags c={c} />
      <Field label="How we met" name="howWeMet" multiline value={c.howWeMet} onCommit={(v) => op("edit how we met", "setScalar", id, "howWeMet", v)} />
    </div>
  );
}

const validEmail = (v: string) => (isEmail(v) ? null : "That doesn't look like an email address (name@example.org).");
const validPhone = (v: string) => (/\d/.test(v) ? null : "A phone number needs digits.");

function Entries({ c, kind, title, type }: { c: Contact; kind: "emails" | "phones"; title: string; type: "email" | "tel" }) {
  const { op } = useApp();
  const act = useUndoable();
  const list: LabeledValue[] = c[kind];
  const validate = kind === "emails" ? validEmail : validPhone;
  return (
    <fieldset class="entries">
      <legend>{title}</legend>
      {list.map((e) => (
        <div class="entry" key={e.key}>
          <Field label={`${title} label`} value={e.label} placeholder="home, work…" onCommit={(v) => op(`edit ${kind}`, "updateEntry", c.id, kind, e.key, "label", v)} />
          <Field label={title} type={type} value={e.value} validate={validate} onCommit={(v) => op(`edit ${kind}`, "updateEntry", c.id, kind, e.key, "value", v.trim())} />
          <button class="icon-btn" aria-label={`Remove ${title.toLowerCase()} ${e.value}`} onClick={() => act(removeEntry(c, kind, e.key))}>
            ✕
          </button>
        </div>
      ))}
      <AddLabeled
        title={title}
        type={type}
        validate={validate}
        onAdd={(label, value) => op(`add ${kind}`, "addEntry", c.id, kind, label, value, newId())}
      />
    </fieldset>
  );
}

/** A new label + value, added only once the value is valid (no empty rows left behind). */
function AddLabeled({
  title,
  type,
  validate,
  onAdd,
}: {
  title: string;
  type: "email" | "tel" | "url";
  validate: (v: string) => string | null;
  onAdd: (label: string, value: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [label, setLabel] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState("");
  if (!open) {
    return (
      <button class="link-btn" onClick={() => setOpen(true)}>
        + Add {title.toLowerCase()}
      </button>
    );
  }
  return (
    <form
      class="entry new-entry"
      noValidate
      aria-label={`Add a ${title.toLowerCase()}`}
      onSubmit={(e) => {
        e.preventDefault();
        const problem = validate(value.trim());
        if (problem) return setError(problem);
        onAdd(label.trim(), value.trim());
        setLabel("");
        setValue("");
        setError("");
        setOpen(false);
      }}
    >
      <label class="field">
        <span>New {title.toLowerCase()} label</span>
        <input value={label} placeholder="home, work…" onInput={(e) => setLabel(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>New {title.toLowerCase()}</span>
        <input type={type as "text"} value={value} onInput={(e) => setValue(e.currentTarget.value)} aria-invalid={!!error} />
      </label>
      <button type="submit">Add</button>
      {error && (
        <p class="error full" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

const validUrl = (v: string) => {
  if (!isSafeUrl(v)) return "Enter a web address, like https://example.org/anna.";
  try {
    new URL(linkHref(v));
    return null;
  } catch {
    return "That isn't a web address.";
  }
};

function Links({ c }: { c: Contact }) {
  const { op } = useApp();
  const act = useUndoable();
  return (
    <fieldset class="entries">
      <legend>Links</legend>
      {c.urls.map((u) => (
        <div class="entry" key={u.key}>
          <span>{u.label || "Link"}</span>
          <span class="link-value">{u.value}</span>
          <button class="icon-btn" aria-label={`Remove link ${u.value}`} onClick={() => act(removeLink(c, u.key))}>
            ✕
          </button>
        </div>
      ))}
      <AddLabeled title="Link" type="url" validate={validUrl} onAdd={(label, value) => op("add link", "addUrl", c.id, label, value, newId())} />
    </fieldset>
  );
}

const ADDRESS_LABELS: Record<(typeof ADDRESS_FIELDS)[number], string> = {
  label: "Label",
  street: "Street",
  city: "City",
  region: "Region",
  postalCode: "Postal code",
  country: "Country",
};

function Addresses({ c }: { c: Contact }) {
  const { op } = useApp();
  const act = useUndoable();
  return (
    <fieldset class="entries">
      <legend>Address</legend>
      {c.addresses.map((a: Address) => (
        <div class="address" key={a.key}>
          {ADDRESS_FIELDS.map((f) => (
            <Field label={ADDRESS_LABELS[f]} value={a[f]} onCommit={(v) => op("edit address", "updateEntry", c.id, "addresses", a.key, f, v)} />
          ))}
          <button class="link-btn danger" onClick={() => act(removeEntry(c, "addresses", a.key))}>
            Remove address
          </button>
        </div>
      ))}
      <button class="link-btn" onClick={() => op("add address", "addAddress", c.id, "home")}>
        + Add address
      </button>
    </fieldset>
  );
}

/** Month and day chosen from lists, the year optional; saved only whole and valid, with a message otherwise. */
function BirthdayEditor({ c }: { c: Contact }) {
  const { now, op } = useApp();
  const [draft, setDraft] = useState(() => dayDraftOf(c.birthday));
  const [msg, setMsg] = useState<{ error: boolean; text: string } | null>(null);
  return (
    <fieldset class="entries birthday">
      <legend>Birthday</legend>
      <DayInput prefix="Birthday" value={draft} onChange={(d) => (setDraft(d), setMsg(null))} />
      <div class="form-actions">
        <button
          type="button"
          class="secondary"
          onClick={() => {
            const checked = checkDay(draft, now);
            if ("error" in checked) return setMsg({ error: true, text: checked.error });
            op("edit birthday", "setBirthday", c.id, checked.ok);
            setMsg({ error: false, text: `Saved: ${formatDay(checked.ok)}.` });
          }}
        >
          Save birthday
        </button>
        {c.birthday && (
          <button
            type="button"
            class="link-btn"
            onClick={() => {
              op("clear birthday", "setBirthday", c.id, null);
              setDraft(dayDraftOf(null));
              setMsg({ error: false, text: "Birthday removed." });
            }}
          >
            Remove birthday
          </button>
        )}
      </div>
      {msg && (
        <p class={msg.error ? "error" : "ok-text"} role={msg.error ? "alert" : "status"}>
          {msg.text}
        </p>
      )}
    </fieldset>
  );
}

function Tags({ c }: { c: Contact }) {
  const { op } = useApp();
  const [tag, setTag] = useState("");
  return (
    <fieldset class="entries">
      <legend>Tags</legend>
      <div class="tags">
        {c.tags.map((t) => (
          <span class="tag">
            #{t}
            <button class="icon-btn" aria-label={`Remove tag ${t}`} onClick={() => op("remove tag", "removeTag", c.id, t)}>
              ✕
            </button>
          </span>
        ))}
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (tag.trim()) op("add tag", "addTag", c.id, tag);
            setTag("");
          }}
        >
          <label>
            <span class="sr-only">New tag</span>
            <input name="new-tag" placeholder="Add tag" value={tag} onInput={(e) => setTag(e.currentTarget.value)} />
          </label>
        </form>
      </div>
    </fieldset>
  );
}
