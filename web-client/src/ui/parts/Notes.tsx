import { useLayoutEffect, useRef } from "preact/hooks";
import { resolve, type Contact, type Note } from "../../doc/schema";
import { useApp } from "../context";

/** Notes about a person; each body is Automerge text, so two devices can type at once. */
export function Notes({ c }: { c: Contact }) {
  const { view, op } = useApp();
  const notes = view.notes
    .filter((n) => resolve(view.contacts, n.contactId) === c.id)
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.createdAt.getTime() - a.createdAt.getTime());
  return (
    <section aria-labelledby="notes-h" class="panel">
      <div class="panel-head">
        <h2 id="notes-h">Notes</h2>
        <button class="secondary" onClick={() => op("add note", "addNote", c.id, "", new Date())}>
          + Add note
        </button>
      </div>
      {notes.length === 0 && <p class="muted">No notes yet.</p>}
      {notes.map((n, i) => (
        <NoteEditor key={n.id} note={n} index={i + 1} />
      ))}
    </section>
  );
}

function NoteEditor({ note, index }: { note: Note; index: number }) {
  const { op, pending } = useApp();
  const ref = useRef<HTMLTextAreaElement>(null);

  // Remote edits arrive while the user may be typing: update the textarea in place and
  // keep the caret where it was relative to the text around it. While our own keystrokes
  // are still on their way to the document, the view is older than the textarea: wait.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || el.value === note.body) return;
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
    <div class="note" data-note={note.id}>
      <label class="sr-only" for={`note-${note.id}`}>
        Note {index}
      </label>
      <textarea
        id={`note-${note.id}`}
        ref={ref}
        rows={4}
        defaultValue={note.body}
        placeholder="Write anything worth remembering…"
        onInput={(e) => {
          const v = e.currentTarget.value;
          op("edit note", "editNote", note.id, v);
        }}
      />
      <div class="note-meta">
        <span class="muted small">{note.createdAt.toLocaleDateString()}</span>
        <button class="link-btn" onClick={() => op(note.pinned ? "unpin note" : "pin note", "setNotePinned", note.id, !note.pinned)}>
          {note.pinned ? "Unpin" : "Pin"}
        </button>
        <button
          class="link-btn danger"
          onClick={() => {
            if (confirm("Delete this note?")) op("delete note", "deleteNote", note.id);
          }}
        >
          Delete
        </button>
      </div>
    </div>
  );
}
