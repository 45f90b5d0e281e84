import type { Viewer } from "./access";
import { LOCAL_VIEWER } from "./access";

/** Who is asking. Sign-in comes later (SPEC section 10); until then every request is served as
 *  the local quality officer. The one place that will read the session or API token. */
export async function getViewer(_request: Request): Promise<Viewer> {
  return LOCAL_VIEWER;
}
