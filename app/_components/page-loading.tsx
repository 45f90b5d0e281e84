/** The skeleton a page shows while its numbers load (each route's loading.tsx). */
export default function PageLoading() {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="lede">Loading…</p>
      <div className="cards">
        <div className="skeleton" />
        <div className="skeleton" />
        <div className="skeleton" />
        <div className="skeleton" />
      </div>
    </div>
  );
}
