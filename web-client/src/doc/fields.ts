/** Plain constants and helpers shared by the page and the document worker (no Automerge). */

export const ADDRESS_FIELDS = ["label", "street", "city", "region", "postalCode", "country"] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];

export function newId(): string {
  return crypto.randomUUID();
}
