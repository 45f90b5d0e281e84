/** Placeholder while a section's numbers load. */
export function SectionSkeleton() {
  return <div className="panel skeleton" aria-busy="true" aria-label="Loading" />;
}
