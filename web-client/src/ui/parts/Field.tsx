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
  validate,
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
  type?: "text" | "email" | "tel" | "url";
  multiline?: boolean;
  placeholder?: string;
  name?: string;
  /** A message when the value must not be saved as typed (shown, and nothing is committed). */
  validate?: (v: string) => string | null;
}) {
  const [draft, setDraft] = useState(value);
  const [problem, setProblem] = useState<string | null>(null);
  const focused = useRef(false);
  useEffect(() => {
    if (!focused.current) setDraft(value);
  }, [value]);
  const commit = () => {
    focused.current = false;
    if (draft === value) return setProblem(null);
    const p = validate ? validate(draft.trim()) : null;
    setProblem(p);
    if (!p) onCommit(draft);
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
          aria-invalid={problem ? true : undefined}
          onKeyDown={(e) => {
            if (e.key === "Enter") (e.currentTarget as HTMLInputElement).blur();
          }}
        />
      )}
      {problem && (
        <span class="error small" role="alert">
          {problem}
        </span>
      )}
    </label>
  );
}
