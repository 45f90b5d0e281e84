/** Placeholder while a section's numbers load. A plain div may not carry a name (axe's
 *  aria-prohibited-attr), so it is a status that says what it is waiting for; aria-busy marks it
 *  as unfinished, and the browser checks wait for every one to be replaced before they scan. */
export function SectionSkeleton() {
  return <div className="panel skeleton" role="status" aria-busy="true" aria-label="Loading" />;
}
