import Link from "next/link";
import { getDatabase } from "@/db";
import { getDimensions } from "@/lib/measures/dimensions";
import { UNKNOWN_PAYER_KEY } from "@/lib/measures/dimensions";
import { pageDatabase, requireViewer } from "../../_lib/request";

/** A payer key that is not one: the payers that are, as links (those the viewer may see). */
export default async function PayerNotFound() {
  const viewer = await requireViewer();
  const { payers } = await getDimensions(pageDatabase(await getDatabase()), viewer);
  const pages = payers.filter((p) => p.key !== UNKNOWN_PAYER_KEY);
  return (
    <section className="panel" data-testid="payer-not-found">
      <h1>Page not found</h1>
      <p>There is no payer with that key. The payers with a page are:</p>
      <ul className="plain-list payer-list" data-testid="valid-payers">
        {pages.map((p) => (
          <li key={p.key}>
            <Link href={`/payers/${p.key}`}>{p.name}</Link> <code>{p.key}</code>
          </li>
        ))}
      </ul>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}
