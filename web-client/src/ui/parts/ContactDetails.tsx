import { useState } from "preact/hooks";
import { ADDRESS_FIELDS } from "../../doc/fields";
import type { Address, Contact, LabeledValue } from "../../doc/schema";
import { useApp } from "../context";
import { Field } from "./Field";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** Every editable field of a contact. */
export function ContactDetails({ c }: { c: Contact }) {
  const { op } = useApp();
  const id = c.id;
  return (
    <div class="details">
      <div class="grid2">
        <Field label="Display name" name="display" value={c.name.display} onCommit={(v) => op("edit name", "setName", id, "display", v)} />
        <Field label="Nickname" name="nickname" value={c.nickname} onCommit={(v) => op("edit nickname", "setScalar", id, "nickname", v)} />
        <Field label="Given name" name="given" value={c.name.given} onCommit={(v) => op("edit name", "setName", id, "given", v)} />
        <Field label="Family name" name="family" value={c.name.family} onCommit={(v) => op("edit name", "setName", id, "family", v)} />
        <Field label="Company" name="company" value={c.company} onCommit={(v) => op("edit company", "setScalar", id, "company", v)} />
        <Field label="Job title" name="title" value={c.title} onCommit={(v) => op("edit title", "setScalar", id, "title", v)} />
      </div>
      <Entries c={c} kind="emails" title="Email" type="email" />
      <Entries c={c} kind="phones" title="Phone" type="tel" />
      <Addresses c={c} />
      <BirthdayEditor c={c} />
      <Tags c={c} />
      <Field
        label="How we met"
        name="howWeMet"
        multiline
        value={c.howWeMet}
        onCommit={(v) => op("edit how we met", "setScalar", id, "howWeMet", v)}
      />
    </div>
  );
}

function Entries({ c, kind, title, type }: { c: Contact; kind: "emails" | "phones"; title: string; type: "email" | "tel" }) {
  const { op } = useApp();
  const list: LabeledValue[] = c[kind];
  return (
    <fieldset class="entries">
      <legend>{title}</legend>
      {list.map((e) => (
        <div class="entry" key={e.key}>
          <Field label={`${title} label`} value={e.label} placeholder="home, work…" onCommit={(v) => op(`edit ${kind}`, "updateEntry", c.id, kind, e.key, "label", v)} />
          <Field label={title} type={type} value={e.value} onCommit={(v) => op(`edit ${kind}`, "updateEntry", c.id, kind, e.key, "value", v)} />
          <button class="icon-btn" aria-label={`Remove ${title.toLowerCase()} ${e.value}`} onClick={() => op(`remove ${kind}`, "removeEntry", c.id, kind, e.key)}>
            ✕
          </button>
        </div>
      ))}
      <button class="link-btn" onClick={() => op(`add ${kind}`, "addEntry", c.id, kind, "", "")}>
        + Add {title.toLowerCase()}
      </button>
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
  return (
    <fieldset class="entries">
      <legend>Address</legend>
      {c.addresses.map((a: Address) => (
        <div class="address" key={a.key}>
          {ADDRESS_FIELDS.map((f) => (
            <Field label={ADDRESS_LABELS[f]} value={a[f]} onCommit={(v) => op("edit address", "updateEntry", c.id, "addresses", a.key, f, v)} />
          ))}
          <button class="link-btn danger" onClick={() => op("remove address", "removeEntry", c.id, "addresses", a.key)}>
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

function BirthdayEditor({ c }: { c: Contact }) {
  const { op } = useApp();
  const b = c.birthday;
  const set = (month: number, day: number, year: number | null) =>
    op("edit birthday", "setBirthday", c.id, month >= 1 && day >= 1 ? { month, day, year } : null);
  return (
    <fieldset class="entries birthday">
      <legend>Birthday</legend>
      <div class="row-fields">
        <label class="field">
          <span>Month</span>
          <select name="bday-month" value={b ? String(b.month) : ""} onChange={(e) => set(Number(e.currentTarget.value), b?.day ?? 1, b?.year ?? null)}>
            <option value="">—</option>
            {MONTHS.map((m, i) => (
              <option value={String(i + 1)}>{m}</option>
            ))}
          </select>
        </label>
        <label class="field narrow">
          <span>Day</span>
          <input
            type="number"
            name="bday-day"
            min={1}
            max={31}
            value={b?.day ?? ""}
            onChange={(e) => {
              const day = Number(e.currentTarget.value);
              if (day >= 1 && day <= 31) set(b?.month ?? 1, day, b?.year ?? null);
            }}
          />
        </label>
        <label class="field narrow">
          <span>Year (optional)</span>
          <input
            type="number"
            name="bday-year"
            min={1900}
            max={2100}
            value={b?.year ?? ""}
            onChange={(e) => {
              const y = e.currentTarget.value === "" ? null : Number(e.currentTarget.value);
              if (b) set(b.month, b.day, y !== null && y >= 1800 && y <= 2200 ? y : null);
            }}
          />
        </label>
        {b && (
          <button class="link-btn" onClick={() => op("clear birthday", "setBirthday", c.id, null)}>
            Clear
          </button>
        )}
      </div>
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
