// SPEC section 10: every read takes the viewer as well as the filters. Sign-in arrives later;
// until then every request is served as a quality officer over all payers.

export type Role = "quality_officer" | "payer_relations" | "data_steward" | "admin";

export type Viewer = {
  role: Role;
  /** Payer keys this viewer may see; null = all payers. */
  payerScope: readonly string[] | null;
};

export const LOCAL_VIEWER: Viewer = { role: "quality_officer", payerScope: null };

export function canSeeMemberLevel(viewer: Viewer): boolean {
  return viewer.role === "quality_officer";
}
