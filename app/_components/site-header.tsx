import Link from "next/link";
import { connection } from "next/server";
import { getDatabase } from "@/db";
import { can, canSeeMemberLevel, type Viewer } from "@/lib/access";
import { ROLE_NAMES } from "@/lib/auth/roles";
import { getDataAsOf } from "@/lib/derive";
import { formatDate } from "@/lib/format";
import { resolveRequestViewer } from "../_lib/request";
import { signOut } from "../sign-in/actions";

/** The main navigation: only what the viewer's role may open (SPEC section 10). */
export function navigationFor(viewer: Viewer): { href: string; label: string }[] {
  return [
    { href: "/", label: "Overview", show: true },
    { href: "/orders", label: "Open orders", show: canSeeMemberLevel(viewer, "orders") },
    { href: "/fractures", label: "Fractures", show: true },
    { href: "/data", label: "Data", show: viewer.payerScope === null },
    { href: "/reports", label: "Reports", show: true },
    { href: "/admin", label: "Admin", show: can(viewer, { administration: ["users"] }) },
  ].filter((item) => item.show);
}

export async function SiteHeader() {
  await connection(); // read at request time: the build must never open the warehouse
  const who = await resolveRequestViewer();
  if (!who.ok) {
    return (
      <header className="site-header">
        <span className="brand">DXA Tracker</span>
      </header>
    );
  }
  const viewer = who.viewer;
  const dataAsOf = await getDataAsOf(await getDatabase()).catch(() => null);
  return (
    <header className="site-header">
      <Link href="/" className="brand">
        DXA Tracker
      </Link>
      <nav aria-label="Main">
        <ul>
          {navigationFor(viewer).map((item) => (
            <li key={item.href}>
              <Link href={item.href}>{item.label}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <span className="header-as-of" data-testid="header-as-of">
        {dataAsOf ? `Data as of ${formatDate(dataAsOf)}` : "No data loaded"}
      </span>
      <div className="header-user" data-testid="header-user">
        <Link href="/account" title="Your account and API tokens">
          {viewer.name} · {ROLE_NAMES[viewer.role]}
        </Link>
        {viewer.tokenName === null ? (
          <form action={signOut}>
            <button type="submit" className="link-button" data-testid="sign-out">
              Sign out
            </button>
          </form>
        ) : null}
      </div>
    </header>
  );
}
