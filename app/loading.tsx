export default function Loading() {
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
