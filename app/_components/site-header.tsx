import Link from "next/link";

// Pages of SPEC section 6 are added to this list as they are built.
const NAV = [{ href: "/", label: "Warehouse" }] as const;

export function SiteHeader() {
  return (
    <header className="site-header">
      <Link href="/" className="brand">
        DXA Tracker
      </Link>
      <nav aria-label="Main">
        <ul>
          {NAV.map((item) => (
            <li key={item.href}>
              <Link href={item.href}>{item.label}</Link>
            </li>
          ))}
        </ul>
      </nav>
    </header>
  );
}
