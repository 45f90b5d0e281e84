import type { ImportResult } from "./index";

/** The import's outcome as a data steward reads it in a terminal. */
export function formatImportReport(result: ImportResult, folder: string, seconds: number): string {
  const lines: string[] = [];
  if (result.ok) {
    lines.push(`Imported ${folder} (import #${result.batchId}) in ${seconds.toFixed(1)} s`);
    lines.push("");
    const header = ["file", "rows", "new", "changed", "unchanged"];
    const rows = result.files.map((f) => [f.file, f.rows, f.new, f.changed, f.unchanged].map(String));
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    lines.push(fmt(header), ...rows.map(fmt));
    if (result.mapped.length > 0) {
      // What the FHIR resources became (SPEC 3b), counted like the CSV files' rows.
      const mappedRows = result.mapped.map((m) => [`→ ${m.table}`, m.rows, m.new, m.changed, m.unchanged].map(String));
      const mappedWidths = header.map((h, i) => Math.max(widths[i]!, ...mappedRows.map((r) => r[i]!.length)));
      const fmtMapped = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(mappedWidths[i]!) : c.padStart(mappedWidths[i]!))).join("  ");
      lines.push("", "Warehouse rows from the FHIR resources:", ...mappedRows.map(fmtMapped));
    }
    const s = result.snapshot;
    lines.push("");
    lines.push(
      s
        ? `Derived facts as of ${s.asOf}: ${s.effectiveLines} effective claim lines, ${s.studies} DXA studies, ${s.orders} orders, ${s.fractureEpisodes} fracture episodes.`
        : "No claim lines loaded yet: derived facts are empty.",
    );
  } else {
    const n = result.problemCount;
    lines.push(`Import of ${folder} rejected: ${n} problem${n === 1 ? "" : "s"}. Nothing was written (logged as import #${result.batchId}).`);
    lines.push("");
    lines.push(...result.problems);
    if (n > result.problems.length) lines.push(`… and ${n - result.problems.length} more.`);
  }
  if (result.warnings.length > 0) lines.push("", "Warnings:", ...result.warnings.map((w) => `  ${w}`));
  return lines.join("\n");
}
