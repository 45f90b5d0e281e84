import type { Sql } from "@/db/client";
import { IdSet } from "./id-set";

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
 * Kept as bytes (lib/import/id-set.ts): about 20 bytes a member (40 MB for 2 million), held for
 * the import only, and looked up from the bytes of a file's cells.
 */
export class KnownIds {
  private readonly warehouse = new Map<ReferenceKind, IdSet>();
  private readonly imported: Record<ReferenceKind, IdSet> = { member: new IdSet(), plan: new IdSet() };

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
      const n = lines?.n ?? 0;
      let ids = lines?.ids ? IdSet.ofLines(Buffer.from(lines.ids, "utf8")) : { set: new IdSet(), lines: 0 };
      if (ids.lines !== n) {
        const [json] = await sql.query<{ ids: string }>(`SELECT json_agg(${column})::text AS ids FROM ${table}`);
        const set = new IdSet(n);
        for (const id of JSON.parse(json!.ids) as string[]) set.add(id);
        ids = { set, lines: n };
      }
      this.warehouse.set(kind, ids.set);
    }
  }

  /** A valid row of members.csv or plans.csv in this import. */
  add(kind: ReferenceKind, id: string): void {
    this.imported[kind].add(id);
  }

  has(kind: ReferenceKind, id: string): boolean {
    return this.loaded(kind).has(id) || this.imported[kind].has(id);
  }

  /** `has` for the id whose UTF-8 bytes are src[from, to). */
  hasBytes(kind: ReferenceKind, src: Uint8Array, from: number, to: number): boolean {
    return this.loaded(kind).hasBytes(src, from, to) || this.imported[kind].hasBytes(src, from, to);
  }

  private loaded(kind: ReferenceKind): IdSet {
    const warehouse = this.warehouse.get(kind);
    if (!warehouse) throw new Error(`${kind} ids were not loaded before the file that refers to them`);
    return warehouse;
  }

  /** The problem reported for an id that is neither loaded nor in this import. */
  static unknown(kind: ReferenceKind): string {
    return `unknown ${kind}: not in ${TABLES[kind].file} of this import nor already loaded`;
  }
}
