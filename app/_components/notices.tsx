/** Filter values that were not valid and fell back to their defaults (SPEC section 6). */
export function Notices({ notices }: { notices: string[] }) {
  if (notices.length === 0) return null;
  return (
    <div className="notice" role="status" data-testid="filter-notices">
      {notices.map((n) => (
        <p key={n}>{n}</p>
      ))}
    </div>
  );
}
