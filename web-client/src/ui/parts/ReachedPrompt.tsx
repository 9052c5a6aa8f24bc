import type { Contact, InteractionId, InteractionKind } from "../../doc/schema";
import { newId } from "../../doc/fields";
import { useApp } from "../context";

const WORD: Record<"call" | "message" | "email", { kind: InteractionKind; noun: string }> = {
  call: { kind: "call", noun: "call" },
  message: { kind: "message", noun: "message" },
  email: { kind: "email", noun: "email" },
};

/** After a tel:, sms: or mailto: link was used: offer to log it (one tap), or dismiss. */
export function ReachedPrompt({ c, name, via, onClose }: { c: Contact; name: string; via: "call" | "message" | "email"; onClose: () => void }) {
  const { op } = useApp();
  const w = WORD[via];
  return (
    <div class="reached notice" role="status" data-prompt="log-reach">
      <span>
        Log this {w.noun} with {name}?
      </span>
      <button
        class="chip"
        onClick={() => {
          op(`log ${w.kind}`, "logInteraction", [c.id], w.kind, new Date(), "", newId() as InteractionId);
          onClose();
        }}
      >
        Log {w.noun}
      </button>
      <button class="link-btn" onClick={onClose}>
        Not now
      </button>
    </div>
  );
}
