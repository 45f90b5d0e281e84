import type { DryRunResult, ImportResult } from "./index";
import type { RowChange } from "./load";

/** The import's outcome (or a dry run's) as a data steward reads it in a terminal. */
export function formatImportReport(result: ImportResult | DryRunResult, folder: string, seconds: number): string {
  const lines: string[] = [];
  const time = `${seconds.toFixed(1)} s`;
  if (result.ok) {
    lines.push(
      result.dryRun
        ? `Dry run of ${folder} in ${time}: the import would be accepted. Nothing was written and nothing logged; these are the rows it would write.`
        : `Imported ${folder} (import #${result.batchId}) in ${time}`,
    );
    lines.push("");
    lines.push(...countsTable(result.files, result.mapped));
    if (result.dryRun) {
      for (const sample of [...result.files.map((f) => ({ name: f.file, of: f.changed, changes: f.changes })), ...result.mapped.map((m) => ({ name: `→ ${m.table}`, of: m.changed, changes: m.changes }))]) {
        if (sample.changes.length === 0) continue;
        lines.push("", `${sample.name}: ${sample.of === sample.changes.length ? "the" : `the first ${sample.changes.length} of ${sample.of}`} changed row${sample.of === 1 ? "" : "s"}:`);
        lines.push(...sample.changes.map((c) => `  ${formatChange(sample.name, c)}`));
      }
    } else {
      const s = result.snapshot;
      lines.push("");
      lines.push(
        s
          ? `Derived facts as of ${s.asOf}: ${s.effectiveLines} effective claim lines, ${s.studies} DXA studies, ${s.orders} orders, ${s.fractureEpisodes} fracture episodes.`
          : "No claim lines loaded yet: derived facts are empty.",
      );
    }
  } else {
    const n = result.problemCount;
    const problems = `${n} problem${n === 1 ? "" : "s"}`;
    lines.push(
      result.dryRun
        ? `Dry run of ${folder}: the import would be refused: ${problems}. Nothing was written and nothing logged.`
        : `Import of ${folder} rejected: ${problems}. Nothing was written (logged as import #${result.batchId}).`,
    );
    // What was read (rows counted, none written) and what was not, so that a misnamed file is
    // seen missing here as well as in the problems.
    const read = result.files.map((f) => `  ${f.file}: ${f.rows} row${f.rows === 1 ? "" : "s"} read`);
    const unread = result.unreadFiles.map((f) => `  ${f}: not read (not an import file name)`);
    if (read.length + unread.length > 0) lines.push("", "Files:", ...read, ...unread);
    lines.push("", "Problems:");
    lines.push(...result.problems.map((p) => `  ${readableProblem(p)}`));
    if (n > result.problems.length) lines.push(`  … and ${n - result.problems.length} more.`);
  }
  if (result.warnings.length > 0) lines.push("", "Warnings:", ...result.warnings.map((w) => `  ${w}`));
  return lines.join("\n");
}

function countsTable(files: ImportResult["files"], mapped: ImportResult["mapped"]): string[] {
  const header = ["file", "rows", "new", "changed", "unchanged"];
  const rows = files.map((f) => [f.file, f.rows, f.new, f.changed, f.unchanged].map(String));
  // What the FHIR resources became (SPEC 3b), counted like the CSV files' rows.
  const mappedRows = mapped.map((m) => [`→ ${m.table}`, m.rows, m.new, m.changed, m.unchanged].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length), ...mappedRows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const lines = [fmt(header), ...rows.map(fmt)];
  if (mappedRows.length > 0) lines.push("", "Warehouse rows from the FHIR resources:", ...mappedRows.map(fmt));
  return lines;
}

/** `members.csv:7 (member_id M12): birth_date 1950-03-15 → 1950-03-16; sex F → M` */
function formatChange(file: string, change: RowChange): string {
  const key = Object.entries(change.key)
    .map(([column, value]) => `${column} ${value}`)
    .join(", ");
  const values = change.changes.map((c) => `${c.column} ${c.old ?? "(empty)"} → ${c.new ?? "(empty)"}`).join("; ");
  return `${file.startsWith("→") ? `line ${change.line}` : `${file}:${change.line}`} (${key}): ${values}`;
}

/** A problem as a person reads it: the log keeps SPEC section 3's `file:line: column: value:
 *  reason`, in which a problem of a whole row or file has no column (`-`) and often no value;
 *  the empty parts are left out (`orders.csv:5: row has 3 fields…`, `members.csv:1: birth_date:
 *  required column is missing…`). */
export function readableProblem(problem: string): string {
  return problem.replace(/^(.*?:\d+): -: : /, "$1: ").replace(/^(.*?:\d+: [^:]+): : /, "$1: ");
}
