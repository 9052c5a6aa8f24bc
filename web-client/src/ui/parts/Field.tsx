import { useEffect, useRef, useState } from "preact/hooks";

/**
 * A labelled text input that commits on blur or Enter (one change per edit, not per
 * keystroke — short fields are last-writer-wins). Follows remote updates while not focused.
 */
export function Field({
  label,
  value,
  onCommit,
  type = "text",
  multiline = false,
  placeholder,
  name,
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
  type?: "text" | "email" | "tel" | "url";
  multiline?: boolean;
  placeholder?: string;
  name?: string;
}) {
  const [draft, setDraft] = useState(value);
  const focused = useRef(false);
  useEffect(() => {
    if (!focused.current) setDraft(value);
  }, [value]);
  const commit = () => {
    focused.current = false;
    if (draft !== value) onCommit(draft);
  };
  const common = {
    name,
    value: draft,
    placeholder,
    onFocus: () => (focused.current = true),
    onBlur: commit,
    onInput: (e: Event) => setDraft((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <label class="field">
      <span>{label}</span>
      {multiline ? (
        <textarea rows={2} {...common} />
      ) : (
        <input
          type={type as "text"}
          {...common}
          onKeyDown={(e) => {
            if (e.key === "Enter") (e.currentTarget as HTMLInputElement).blur();
          }}
        />
      )}
    </label>
  );
}
