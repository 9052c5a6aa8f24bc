import { displayName, type Contact } from "../../doc/schema";

/** Photo if the contact has one, else initials on a colour derived from the id. */
export function Avatar({ contact, size = 40 }: { contact: Contact; size?: number }) {
  const name = displayName(contact);
  const style = { width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px` };
  if (contact.photoUrl) return <img class="avatar" src={contact.photoUrl} alt="" style={style} loading="lazy" />;
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? "")
    .join("");
  let h = 0;
  for (let i = 0; i < contact.id.length; i++) h = (h * 31 + contact.id.charCodeAt(i)) % 360;
  return (
    <span class="avatar" aria-hidden="true" style={{ ...style, background: `hsl(${h} 45% 85%)`, color: `hsl(${h} 45% 25%)` }}>
      {initials || "?"}
    </span>
  );
}
