import { useMemo } from "preact/hooks";
import { useApp } from "../context";
import { findDuplicates, reasonText } from "../../view/duplicates";
import { displayName } from "../../doc/schema";
import { href } from "../router";
import { Avatar } from "../parts/Avatar";
import { Icon } from "../parts/Icon";

/** Every merge suggestion in one list; each opens the side-by-side merge view. */
export function DuplicatesScreen() {
  const { view } = useApp();
  const suggestions = useMemo(() => findDuplicates(view), [view]);
  return (
    <section aria-labelledby="dups-h" class="narrow-page">
      <a class="back" href="#/people">
        <Icon name="back" size={18} /> People
      </a>
      <h1 id="dups-h">Possible duplicates</h1>
      {suggestions.length === 0 ? (
        <div class="empty">
          <p>No likely duplicates.</p>
          <p class="muted">People with the same email, phone number or name show up here.</p>
        </div>
      ) : (
        <>
          <p class="muted">
            {suggestions.length === 1 ? "1 pair looks" : `${suggestions.length} pairs look`} like the same person. Review each before merging: nothing
            merges by itself.
          </p>
          <ul class="card-list dup-list" aria-label="Merge suggestions">
            {suggestions.map((s) => (
              <li class="row" data-dup={`${s.keep.id}:${s.drop.id}`}>
                <Avatar contact={s.keep} size={36} />
                <div class="row-main">
                  <span class="row-name wrap">
                    {displayName(s.keep)} <span class="muted">and</span> {displayName(s.drop)}
                  </span>
                  <span class="muted small">{reasonText(s.reasons)}</span>
                </div>
                <a class="button-link secondary" href={href({ name: "merge", keep: s.keep.id, drop: s.drop.id })} aria-label={`Review ${displayName(s.keep)} and ${displayName(s.drop)}`}>
                  Review
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
