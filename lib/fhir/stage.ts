import type { Sql } from "@/db/client";
import type { BinaryCopyWriter } from "../import/copy-binary";
import { encoderFor, type CellEncoder } from "../import/encoders";
import type { MappedRows } from "./map";

// The one staging table of a FHIR import. A connection runs one COPY at a time, so each FHIR
// file is read once into one COPY that carries everything it gives: the resources as they
// came, and the typed rows they map to (binary, as the CSV files' rows: the server parses
// nothing but the resources' JSON). The table is partitioned by the kind of row, so that each
// later step reads its own partition only: the mapped rows without the resources' bytes.

export const STAGE_KINDS = { resource: 0, member: 1, plan: 2, span: 3, order: 4, line: 5, ref: 6 } as const;
export type StageKind = keyof typeof STAGE_KINDS;

/** The partition holding each kind of row. */
export const STAGE_PARTITIONS: Record<StageKind, string> = {
  resource: "stage_fhir_resource",
  member: "stage_fhir_member",
  plan: "stage_fhir_plan",
  span: "stage_fhir_span",
  order: "stage_fhir_order",
  line: "stage_fhir_line",
  ref: "stage_fhir_ref",
};

const ID = 'text COLLATE "C"';

// Columns a row of any kind may fill; names and types of the warehouse tables where they are
// the same values, so that member and span rows are upserted straight from their partitions.
const COLUMNS: [name: string, type: string][] = [
  ["kind", "smallint"],
  ["seq", "integer"],
  ["file", "text"],
  ["source_line", "integer"],
  // resource
  ["resource_type", ID],
  ["id", ID],
  ["resource", "jsonb"],
  ["patient_id", ID],
  ["referenced_value", "text"],
  ["referenced_via", "text"],
  // shared by the mapped rows
  ["member_id", ID],
  ["plan_id", ID],
  ["key_path", "text"],
  ["npi_type", "text"],
  ["npi_id", ID],
  // member
  ["birth_date", "date"],
  ["sex", "sex"],
  // plan
  ["payer", "text"],
  ["payer_org_id", ID],
  ["plan_name", "text"],
  ["product_line", "product_line"],
  ["product_line_code", "text"],
  ["payer_path", "text"],
  ["name_path", "text"],
  ["product_line_path", "text"],
  // span
  ["start_date", "date"],
  ["end_date", "date"],
  // order
  ["order_id", ID],
  ["order_date", "date"],
  ["ordering_npi", "text"],
  ["indication", "order_indication"],
  ["status", "order_status"],
  // claim line
  ["claim_id", ID],
  ["line_number", "integer"],
  ["frequency_code", "smallint"],
  ["received_date", "date"],
  ["coverage_id", ID],
  ["claim_type", "claim_type"],
  ["service_date", "date"],
  ["procedure_code", ID],
  ["modifiers", "text[]"],
  ["place_of_service", "text"],
  ["line_status", "line_status"],
  ["units", "integer"],
  ["billed_amount", "numeric(14,2)"],
  ["paid_amount", "numeric(14,2)"],
  ["rendering_npi", "text"],
  ["diagnosis_codes", "text[]"],
  // reference
  ["path", "text"],
  ["raw", "text"],
  ["role", "text"],
  ["target_type", ID],
  ["target_id", ID],
];

/** The columns a COPY into the staging table lists (import_batch_id is its default). */
export const STAGE_COLUMNS = COLUMNS.map(([name]) => name);

/** Creates the staging table and its partitions, for the import's transaction only. Rows take
 *  the import's batch id by default, as the warehouse rows they become carry it. */
export async function createFhirStaging(sql: Sql, batchId: number): Promise<void> {
  const columns = COLUMNS.map(([name, type]) => `"${name}" ${type}`).join(", ");
  const partitions = Object.entries(STAGE_PARTITIONS)
    .map(([kind, table]) => `CREATE TEMP TABLE ${table} PARTITION OF stage_fhir FOR VALUES IN (${STAGE_KINDS[kind as StageKind]}) ON COMMIT DROP;`)
    .join("\n");
  await sql.exec(`
    CREATE TEMP TABLE stage_fhir (import_batch_id integer NOT NULL DEFAULT ${Number(batchId)}, ${columns}) PARTITION BY LIST (kind) ON COMMIT DROP;
    ${partitions}
  `);
}

type Value = string | number | null | undefined;

/** Writes staging rows as binary COPY tuples: per kind, the columns it fills are encoded by
 *  their type, the others are NULL. */
export class StageWriter {
  private readonly plans: Record<StageKind, ((out: BinaryCopyWriter, row: Record<string, Value>) => void)[]>;

  constructor(private readonly out: BinaryCopyWriter) {
    const uses: Record<StageKind, string[]> = {
      resource: ["resource_type", "id", "resource", "patient_id", "referenced_value", "referenced_via"],
      member: ["member_id", "birth_date", "sex", "key_path"],
      plan: ["plan_id", "payer", "payer_org_id", "plan_name", "product_line", "product_line_code", "payer_path", "name_path", "product_line_path"],
      span: ["member_id", "plan_id", "start_date", "end_date", "key_path"],
      order: ["order_id", "member_id", "order_date", "ordering_npi", "npi_type", "npi_id", "status", "key_path"],
      line: [
        "claim_id", "line_number", "frequency_code", "received_date", "member_id", "coverage_id", "claim_type", "service_date", "procedure_code",
        "modifiers", "place_of_service", "line_status", "units", "billed_amount", "paid_amount", "rendering_npi", "npi_type", "npi_id",
        "diagnosis_codes", "key_path",
      ],
      ref: ["path", "raw", "role", "target_type", "target_id"],
    };
    const encoders = new Map(COLUMNS.map(([name, type]) => [name, encodeAs(type)]));
    this.plans = Object.fromEntries(
      Object.entries(uses).map(([kind, names]) => [
        kind,
        COLUMNS.slice(4).map(([name]) => {
          if (!names.includes(name)) return (out: BinaryCopyWriter) => out.null();
          const encode = encoders.get(name)!;
          return (out: BinaryCopyWriter, row: Record<string, Value>) => {
            const value = row[name];
            if (value === null || value === undefined) out.null();
            else encode(out, String(value));
          };
        }),
      ]),
    ) as StageWriter["plans"];
  }

  row(kind: StageKind, seq: number, file: string, line: number, values: Record<string, Value>): void {
    const out = this.out;
    out.beginRow(COLUMNS.length);
    out.int16(STAGE_KINDS[kind]);
    out.int32(seq);
    out.text(file);
    out.int32(line);
    for (const write of this.plans[kind]) write(out, values);
  }

  /** The warehouse rows and references of one resource. */
  mapped(seq: number, file: string, line: number, rows: MappedRows): void {
    if (rows.member) this.row("member", seq, file, line, rows.member);
    if (rows.plan) this.row("plan", seq, file, line, rows.plan);
    if (rows.span) this.row("span", seq, file, line, rows.span);
    if (rows.order) this.row("order", seq, file, line, rows.order);
    for (const claimLine of rows.lines ?? []) this.row("line", seq, file, line, claimLine);
    for (const ref of rows.refs ?? []) this.row("ref", seq, file, line, { path: ref.path, raw: ref.raw, role: ref.role, target_type: ref.type, target_id: ref.id });
  }
}

function encodeAs(type: string): CellEncoder {
  if (type === "jsonb") return (out, value) => out.jsonb(value);
  return encoderFor(type === ID ? "text" : type);
}
