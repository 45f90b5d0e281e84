import Link from "next/link";
import { connection } from "next/server";
import { getDatabase } from "@/db";
import { getDataAsOf } from "@/lib/derive";
import { formatDate } from "@/lib/format";

const NAV = [
  { href: "/", label: "Overview" },
  { href: "/orders", label: "Open orders" },
  { href: "/fractures", label: "Fractures" },
  { href: "/data", label: "Data" },
  { href: "/reports", label: "Reports" },
] as const;

export async function SiteHeader() {
  await connection(); // read at request time: the build must never open the warehouse
  const dataAsOf = await getDataAsOf(await getDatabase()).catch(() => null);
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
      <span className="header-as-of" data-testid="header-as-of">
        {dataAsOf ? `Data as of ${formatDate(dataAsOf)}` : "No data loaded"}
      </span>
    </header>
  );
}
