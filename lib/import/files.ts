import * as f from "./fields";
import type { FieldParser } from "./fields";
import type { ReferenceKind } from "./known-ids";

export type ColumnSpec = {
  name: string;
  required: boolean;
  parse: FieldParser;
  /** Staged when the cell is empty (optional columns only). */
  default?: string;
  /** SQL type of the staging column, which is also the warehouse column's type. */
  type: string;
  /** Few distinct values repeated over many rows, and costly to check (lists checked by a
   *  regular expression): each distinct cell is checked once per file
   *  (lib/import/row-writer.ts). A fixed list (`oneOf`) is a lookup already. */
  repeats?: boolean;
};

export type RowProblem = { column: string; value: string; reason: string };

export type FileSpec = {
  file: string;
  table: string;
  columns: ColumnSpec[];
  /** The natural key (SPEC section 3, "Idempotent"). */
  key: string[];
  /** Columns that must name a member or plan of this import or of the warehouse. */
  references: { column: string; kind: ReferenceKind }[];
  /** The file whose rows are the members or plans that references name (its key column). */
  defines?: ReferenceKind;
  /** The columns as written to the warehouse table, when they differ from `columns` (plans
   *  name a payer; the table holds its key). Such a file is always loaded through staging. */
  tableColumns?: string[];
  /** A rule across cells of one row, checked after each cell is valid. */
  checkRow?: (row: Record<string, string | null>) => RowProblem | null;
};

const PRODUCT_LINES = ["commercial", "medicare_advantage", "medicare_ffs", "medicaid", "other"] as const;
const id = f.text(1, 64);

// In load order: plans and members before the files that refer to them.
export const FILE_SPECS: readonly FileSpec[] = [
  {
    file: "plans.csv",
    table: "plans",
    columns: [
      { name: "plan_id", required: true, parse: id, type: "text" },
      // Resolved to a payer key in SQL (lib/import/load.ts), where the known payers are.
      { name: "payer", required: true, parse: f.text(1, 200), type: "text" },
      { name: "plan_name", required: true, parse: f.text(1, 200), type: "text" },
      { name: "product_line", required: true, parse: f.oneOf(PRODUCT_LINES, { caseInsensitive: true }), type: "product_line" },
    ],
    key: ["plan_id"],
    defines: "plan",
    tableColumns: ["plan_id", "payer_key", "plan_name", "product_line"],
    references: [],
  },
  {
    file: "members.csv",
    table: "members",
    columns: [
      { name: "member_id", required: true, parse: id, type: "text" },
      { name: "birth_date", required: true, parse: f.pastDate, type: "date" },
      { name: "sex", required: true, parse: f.oneOf(["F", "M", "U"], { caseInsensitive: true }), type: "sex" },
    ],
    key: ["member_id"],
    defines: "member",
    references: [],
  },
  {
    file: "coverage.csv",
    table: "coverage",
    columns: [
      { name: "member_id", required: true, parse: id, type: "text" },
      { name: "plan_id", required: true, parse: id, type: "text" },
      { name: "start_date", required: true, parse: f.isoDate, type: "date" },
      { name: "end_date", required: false, parse: f.isoDate, type: "date" },
    ],
    key: ["member_id", "plan_id", "start_date"],
    references: [
      { column: "member_id", kind: "member" },
      { column: "plan_id", kind: "plan" },
    ],
    checkRow: (row) =>
      row.end_date != null && row.start_date != null && row.end_date < row.start_date
        ? { column: "end_date", value: row.end_date, reason: `is before start_date ${row.start_date}` }
        : null,
  },
  {
    file: "orders.csv",
    table: "ehr_orders",
    columns: [
      { name: "order_id", required: true, parse: id, type: "text" },
      { name: "member_id", required: true, parse: id, type: "text" },
      { name: "order_date", required: true, parse: f.isoDate, type: "date" },
      { name: "ordering_npi", required: false, parse: f.npi, type: "text" },
      {
        name: "indication",
        required: false,
        parse: f.oneOf(["screening", "fracture", "glucocorticoid", "monitoring", "other"], { caseInsensitive: true }),
        type: "order_indication",
      },
      { name: "status", required: false, parse: f.oneOf(["active", "cancelled"], { caseInsensitive: true }), default: "active", type: "order_status" },
    ],
    key: ["order_id"],
    references: [{ column: "member_id", kind: "member" }],
  },
  {
    file: "claim_lines.csv",
    table: "claim_lines",
    columns: [
      { name: "claim_id", required: true, parse: id, type: "text" },
      { name: "line_number", required: true, parse: f.integer(1), type: "integer" },
      { name: "frequency_code", required: true, parse: f.oneOf(["1", "7", "8"]), type: "smallint" },
      { name: "received_date", required: true, parse: f.isoDate, type: "date" },
      { name: "member_id", required: true, parse: id, type: "text" },
      { name: "plan_id", required: true, parse: id, type: "text" },
      { name: "claim_type", required: true, parse: f.oneOf(["professional", "institutional"], { caseInsensitive: true }), type: "claim_type" },
      { name: "service_date", required: true, parse: f.isoDate, type: "date" },
      { name: "procedure_code", required: true, parse: f.procedureCode, type: "text" },
      { name: "modifiers", required: false, parse: f.modifiers, default: "{}", type: "text[]", repeats: true },
      { name: "place_of_service", required: false, parse: f.placeOfService, type: "text" },
      { name: "line_status", required: true, parse: f.oneOf(["paid", "denied", "pending"], { caseInsensitive: true }), type: "line_status" },
      { name: "units", required: false, parse: f.integer(1), default: "1", type: "integer" },
      { name: "billed_amount", required: false, parse: f.amount, type: "numeric(14,2)" },
      { name: "paid_amount", required: false, parse: f.amount, type: "numeric(14,2)" },
      { name: "rendering_npi", required: false, parse: f.npi, type: "text" },
      { name: "diagnosis_codes", required: false, parse: f.diagnosisCodes, default: "{}", type: "text[]", repeats: true },
    ],
    key: ["claim_id", "received_date", "frequency_code", "line_number"],
    references: [
      { column: "member_id", kind: "member" },
      { column: "plan_id", kind: "plan" },
    ],
  },
];

export const FILE_NAMES = FILE_SPECS.map((s) => s.file);

export function stageTable(spec: FileSpec): string {
  return `stage_${spec.table}`;
}

/** The provenance columns (db/schema/provenance.ts) that lead every loaded row. */
export const PROVENANCE_COLUMNS = ["import_batch_id", "source_line"] as const;

/** Columns of a COPY chunk from lib/import/read-file.ts, in order. */
export function copyColumns(spec: FileSpec): string[] {
  return [...PROVENANCE_COLUMNS, ...spec.columns.map((c) => c.name)];
}
