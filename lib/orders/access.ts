import { canSeeMemberLevel, type Viewer } from "../access";

/** A member-level read asked for by a viewer whose role may see aggregates only (SPEC section
 *  10: payer relations never see a member id). */
export class MemberLevelAccessError extends Error {
  constructor(readonly viewer: Viewer) {
    super(`Member-level data are for quality officers; a ${viewer.role.replace("_", " ")} user sees aggregates only.`);
    this.name = "MemberLevelAccessError";
  }
}

/** Throws unless the viewer may see member-level rows. Every member-level read calls it first. */
export function assertMemberLevel(viewer: Viewer): void {
  if (!canSeeMemberLevel(viewer)) throw new MemberLevelAccessError(viewer);
}
