import Link from "next/link";
import { MEASURE_NAMES } from "@/lib/format";
import type { MeasureKey } from "@/lib/measures/types";

/** The measure's definition, one click from its number. */
export function DefinitionLink({ measure }: { measure: MeasureKey }) {
  return (
    <Link href={`/help/measures#${measure}`} className="definition-link" data-testid={`definition-${measure}`}>
      Definition<span className="visually-hidden"> of the {MEASURE_NAMES[measure]}</span>
    </Link>
  );
}
