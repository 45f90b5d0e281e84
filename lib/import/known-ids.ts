import type { Sql } from "@/db/client";

export type ReferenceKind = "member" | "plan";

const TABLES: Record<ReferenceKind, { table: string; column: string; file: string }> = {
  member: { table: "members", column: "member_id", file: "members.csv" },
  plan: { table: "plans", column: "plan_id", file: "plans.csv" },
};

/**
 * The members and plans an import may refer to: those already in the warehouse and the valid
 * rows of this import's members.csv and plans.csv (read first, SPEC section 3). Checking each
 * reference here, while the row is read, replaces a join over every loaded row afterwards and
 * reports the exact line at once.
 *
 * Memory: one string per member, about 60 bytes each (120 MB for 2 million members), held for
 * the import only.
 */
export class KnownIds {
  private readonly warehouse = new Map<ReferenceKind, Set<string>>();
  private readonly imported: Record<ReferenceKind, Set<string>> = { member: new Set(), plan: new Set() };

  /** Reads the warehouse's ids of these kinds, once per import, before a file that needs them. */
  async load(sql: Sql, kinds: Iterable<ReferenceKind>): Promise<void> {
    for (const kind of kinds) {
      if (this.warehouse.has(kind)) continue;
      const { table, column } = TABLES[kind];
      // One text of ids, a line each, rather than a row per id: far cheaper to receive and
      // split at millions of ids. Should an id hold a line break, the count tells, and the ids
      // come as JSON instead (slower to parse, never ambiguous).
      const [lines] = await sql.query<{ ids: string | null; n: number }>(
        `SELECT string_agg(${column}, E'\\n') AS ids, count(*)::int AS n FROM ${table}`,
      );
      let ids = lines?.ids ? lines.ids.split("\n") : [];
      if (ids.length !== (lines?.n ?? 0)) {
        const [json] = await sql.query<{ ids: string }>(`SELECT json_agg(${column})::text AS ids FROM ${table}`);
        ids = JSON.parse(json!.ids) as string[];
      }
      this.warehouse.set(kind, new Set(ids));
    }
  }

  /** A valid row of members.csv or plans.csv in this import. */
  add(kind: ReferenceKind, id: string): void {
    this.imported[kind].add(id);
  }

  has(kind: ReferenceKind, id: string): boolean {
    const warehouse = this.warehouse.get(kind);
    if (!warehouse) throw new Error(`${kind} ids were not loaded before the file that refers to them`);
    return warehouse.has(id) || this.imported[kind].has(id);
  }

  /** The problem reported for an id that is neither loaded nor in this import. */
  static unknown(kind: ReferenceKind): string {
    return `unknown ${kind}: not in ${TABLES[kind].file} of this import nor already loaded`;
  }
}
