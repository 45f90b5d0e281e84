import { connection } from "next/server";
import { getDatabase } from "@/db";
import { LOCAL_VIEWER } from "@/lib/access";
import { formatCount, formatDate } from "@/lib/format";
import { getWarehouseSummary } from "@/lib/warehouse/summary";

export default async function WarehousePage() {
  await connection(); // always read the warehouse as it is now, never a build-time copy
  const summary = await getWarehouseSummary(await getDatabase(), LOCAL_VIEWER);

  if (summary.members === 0 && summary.claimLines === 0) {
    return (
      <>
        <h1>DXA Tracker</h1>
        <p className="lede">The warehouse is empty.</p>
        <section className="panel" data-testid="empty-warehouse">
          <h2>Load data</h2>
          <p>
            Put the CSV files of an import (<code>plans.csv</code>, <code>members.csv</code>, <code>coverage.csv</code>,{" "}
            <code>orders.csv</code>, <code>claim_lines.csv</code>) in a folder and import it:
          </p>
          <pre>npm run import -- path/to/folder</pre>
          <p>
            To try the product with synthetic data: <code>npm run generate -- --members 20000 --seed 1 --out data/demo</code>,
            then import that folder.
          </p>
        </section>
      </>
    );
  }

  return (
    <>
      <h1>Warehouse</h1>
      <p className="lede">
        Data as of <strong data-testid="as-of">{summary.asOf ? formatDate(summary.asOf) : "—"}</strong> (latest claim received)
      </p>
      <dl className="cards">
        <Figure label="Members" value={summary.members} testId="count-members" />
        <Figure label="Plans" value={summary.plans} testId="count-plans" />
        <Figure label="EHR orders" value={summary.ehrOrders} testId="count-orders" />
        <Figure label="Claim lines" value={summary.claimLines} testId="count-claim-lines" />
      </dl>
      <section className="panel">
        <h2>Plans by payer</h2>
        <table data-testid="payer-plans">
          <thead>
            <tr>
              <th scope="col">Payer</th>
              <th scope="col" className="num">Plans</th>
              <th scope="col" className="num">Members ever covered</th>
            </tr>
          </thead>
          <tbody>
            {summary.payers.map((p) => (
              <tr key={p.payerKey}>
                <th scope="row">{p.payerName}</th>
                <td className="num">{p.plans === 0 ? "Data not available" : formatCount(p.plans)}</td>
                <td className="num">{p.plans === 0 ? "—" : formatCount(p.members)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {summary.lastImport ? (
        <p className="lede">
          Last import #{summary.lastImport.id} by {summary.lastImport.importedBy}: {summary.lastImport.outcome}, finished{" "}
          {summary.lastImport.finishedAt.slice(0, 16).replace("T", " ")} UTC.
        </p>
      ) : null}
    </>
  );
}

function Figure({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="card">
      <dt>{label}</dt>
      <dd data-testid={testId}>{formatCount(value)}</dd>
    </div>
  );
}
