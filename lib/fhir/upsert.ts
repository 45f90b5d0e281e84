import type { Sql } from "@/db/client";
import { FILE_SPECS } from "../import/files";
import { upsertStaged, type RowChange, type RowCounts } from "../import/load";
import { FHIR_TABLES, fhirStageTable, type FhirTable } from "./resolve";

/** The warehouse rows that FHIR resources became in one import. */
export type MappedCounts = { table: FhirTable; rows: number } & RowCounts;

/** New and changed resources of each FHIR file (the rest of its resources are unchanged). */
export type ResourceCounts = Map<string, { new: number; changed: number }>;

/**
 * Writes what lib/fhir/resolve.ts staged, once every check has passed: the warehouse rows
 * (upserted by their section 3 key, like the CSV files', with new/changed/unchanged counts)
 * and every resource as it came, keyed by type and id. A resource that differs from the loaded
 * one only in `meta` (a new versionId or lastUpdated, as each export stamps) is unchanged and
 * keeps its provenance.
 */
export async function upsertFhir(
  sql: Sql,
  batchId: number,
  options: { sample?: number } = {},
): Promise<{ resources: ResourceCounts; mapped: MappedCounts[]; changes: Map<FhirTable, RowChange[]> }> {
  const mapped: MappedCounts[] = [];
  const sampled = new Map<FhirTable, RowChange[]>();
  for (const table of FHIR_TABLES) {
    const spec = FILE_SPECS.find((s) => s.table === table)!;
    const { counts, changes } = await upsertStaged(sql, spec, fhirStageTable(table), options);
    const rows = counts.new + counts.changed + counts.unchanged;
    if (rows > 0) mapped.push({ table, rows, ...counts });
    sampled.set(table, changes);
  }
  const written = await sql.query<{ file: string; new: number; changed: number }>(
    `WITH written AS (
       INSERT INTO fhir_resources (resource_type, id, resource, patient_id, referenced_value, referenced_via, source_file, import_batch_id, source_line)
       SELECT resource_type, id, resource, patient_id, referenced_value, referenced_via, file, $1, source_line FROM stage_fhir_resource
       ON CONFLICT (resource_type, id) DO UPDATE
         SET resource = EXCLUDED.resource, patient_id = EXCLUDED.patient_id, referenced_value = EXCLUDED.referenced_value,
             referenced_via = EXCLUDED.referenced_via, source_file = EXCLUDED.source_file,
             import_batch_id = EXCLUDED.import_batch_id, source_line = EXCLUDED.source_line
         WHERE (fhir_resources.resource - 'meta') IS DISTINCT FROM (EXCLUDED.resource - 'meta')
       RETURNING source_file, (xmax = 0) AS inserted
     )
     SELECT source_file AS file, count(*) FILTER (WHERE inserted)::int AS new, count(*) FILTER (WHERE NOT inserted)::int AS changed
     FROM written GROUP BY source_file`,
    [batchId],
  );
  return { resources: new Map(written.map((w) => [w.file, { new: w.new, changed: w.changed }])), mapped, changes: sampled };
}
