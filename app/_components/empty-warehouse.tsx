/** What a page shows before any claims are loaded: how to load data, not an error. */
export function EmptyWarehouse() {
  return (
    <>
      <h1>DXA Tracker</h1>
      <p className="lede">The warehouse holds no claims yet, so there is nothing to measure.</p>
      <section className="panel" data-testid="empty-warehouse">
        <h2>Load data</h2>
        <p>
          Put the CSV files of an import (<code>plans.csv</code>, <code>members.csv</code>, <code>coverage.csv</code>,{" "}
          <code>orders.csv</code>, <code>claim_lines.csv</code>) in a folder and import it with the server stopped, or upload them on
          the <a href="/data">Data</a> page:
        </p>
        <pre>npm run import -- path/to/folder</pre>
        <p>
          To try the product with synthetic data: <code>npm run generate -- --members 20000 --seed 1 --out data/demo</code>, then
          import that folder.
        </p>
      </section>
    </>
  );
}
