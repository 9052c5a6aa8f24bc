import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { resolve, type Contact, type Note, type NoteId } from "../../doc/schema";
import { newId } from "../../doc/fields";
import { useApp } from "../context";
import { useUndoable } from "../undo";
import { deleteNote } from "../../view/undoable";

/** Notes about a person; each body is Automerge text, so two devices can type at once. */
export function Notes({ c }: { c: Contact }) {
  const { view } = useApp();
  // "+ Add note" opens an empty editor; the note exists in the document only once something is typed.
  const [draft, setDraft] = useState<NoteId | null>(null);
  const notes = view.notes
    .filter((n) => resolve(view.contacts, n.contactId) === c.id)
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.createdAt.getTime() - a.createdAt.getTime());
  const showDraft = draft !== null && !notes.some((n) => n.id === draft);
  return (
    <section aria-labelledby="notes-h" class="panel">
      <div class="panel-head">
        <h2 id="notes-h">Notes</h2>
        <button class="secondary" onClick={() => setDraft(newId() as NoteId)} disabled={showDraft}>
          + Add note
        </button>
      </div>
      {notes.length === 0 && !showDraft && <p class="muted">No notes yet.</p>}
      {/* One flat keyed list, so the new note's editor stays the same element (and keeps focus) once it is written. */}
      {[...(showDraft && draft ? [{ id: draft, note: null as Note | null }] : []), ...notes.map((n) => ({ id: n.id, note: n as Note | null }))].map((x, i) => (
        <NoteEditor key={x.id} id={x.id} contact={c} note={x.note} index={i + 1} onDropped={() => setDraft(null)} autoFocus={x.note === null} />
      ))}
    </section>
  );
}

/**
 * One note's editor. `note` is null for a new note not yet written: the first keystroke
 * creates it (under `id`, so the same editor keeps focus), and a new note left empty is
 * deleted again on blur — an empty note is never kept.
 */
function NoteEditor({
  id,
  contact,
  note,
  index,
  onDropped,
  autoFocus = false,
}: {
  id: NoteId;
  contact: Contact;
  note: Note | null;
  index: number;
  onDropped: () => void;
  autoFocus?: boolean;
}) {
  const { op, pending } = useApp();
  const act = useUndoable();
  const ref = useRef<HTMLTextAreaElement>(null);
  const created = useRef(note !== null);
  const fresh = useRef(note === null);
  useLayoutEffect(() => {
    if (autoFocus) ref.current?.focus();
  }, []);

  // Remote edits arrive while the user may be typing: update the textarea in place and
  // keep the caret where it was relative to the text around it. While our own keystrokes
  // are still on their way to the document, the view is older than the textarea: wait.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !note || el.value === note.body) return;
    const old = el.value;
    const focused = document.activeElement === el;
    if (focused && pending()) return;
    const start = el.selectionStart;
    const end = el.selectionEnd;
    el.value = note.body;
    if (focused) {
      const shift = (pos: number) => (old.slice(0, pos) === note.body.slice(0, pos) ? pos : pos + note.body.length - old.length);
      el.setSelectionRange(Math.max(0, shift(start)), Math.max(0, shift(end)));
    }
  });

  return (
    <div class="note" data-note={id}>
      <label class="sr-only" for={`note-${id}`}>
        Note {index}
      </label>
      <textarea
        id={`note-${id}`}
        ref={ref}
        rows={4}
        defaultValue={note?.body ?? ""}
        placeholder="Write anything worth remembering…"
        onInput={(e) => {
          const v = e.currentTarget.value;
          if (!created.current) {
            if (!v.trim()) return;
            created.current = true;
            op("add note", "addNote", contact.id, v, new Date(), id);
          } else {
            op("edit note", "editNote", id, v);
          }
        }}
        onBlur={(e) => {
          // A new note emptied again (or never written) is not kept.
          if (fresh.current && !e.currentTarget.value.trim()) {
            if (created.current) op("delete empty note", "deleteNote", id);
            created.current = false;
            onDropped();
          }
        }}
      />
      {note && (
        <div class="note-meta">
          <span class="muted small">{note.createdAt.toLocaleDateString()}</span>
          <button class="link-btn" onClick={() => op(note.pinned ? "unpin note" : "pin note", "setNotePinned", note.id, !note.pinned)}>
            {note.pinned ? "Unpin" : "Pin"}
          </button>
          <button
            class="link-btn danger"
            onClick={() => act(deleteNote(note))}
          >
            Delete
          </button>
        </div>
      )}
    </div>
  );
}
