import type { Sql } from "@/db/client";
import { IdSet } from "./id-set";
import type { ProblemLog } from "./problems";

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
 * Two ways to know the warehouse's ids, chosen per file (`prepare`):
 * - **loaded**: every id of the table read once per import into an IdSet (lib/import/id-set.ts),
 *   about 20 bytes a member (40 MB for 2 million), looked up from the bytes of a file's cells;
 * - **deferred**, for a file small beside the table (a monthly claims refresh against 2,000,000
 *   members): reading the table's ids would cost more than the file (0.55-0.85 s of a refresh of
 *   11 s), so an id neither in this import nor already checked passes for now and its lines are
 *   kept; `checkDeferred` then asks the database about those ids alone (one query, the table's
 *   index) and reports each line of each unknown one, as the loaded check would have.
 * The file's rows with a deferred unknown id have been written by then; the problems reject the
 * import, whose transaction takes them back with everything else. Having been written, such a
 * row is also put to the rules that need whole rows (an end before its start, a key twice), so
 * it may bring a problem more than loaded ids would show, never one less
 * (test/integration/import-property.test.ts compares the two on generated files).
 */
export class KnownIds {
  private readonly warehouse = new Map<ReferenceKind, IdSet>();
  private readonly imported: Record<ReferenceKind, IdSet> = { member: new IdSet(), plan: new IdSet() };
  /** The kinds checked deferred in the current file, each with its ids passed for now and the
   *  lines that name them; and the lines of the last id looked up of each kind. */
  private readonly deferred = new Map<ReferenceKind, Map<string, number[]>>();
  private readonly lastLines: Record<ReferenceKind, number[] | null> = { member: null, plan: null };

  /**
   * Gets ready for a file whose references are of `kinds`: for each, the warehouse's ids loaded
   * (once per import), or deferred when the file has fewer than DEFER_BYTES_PER_ID bytes per id
   * the table holds (its planner estimate; an unanalysed table is loaded). `defer` forces the
   * choice (tests compare the two).
   */
  async prepare(sql: Sql, kinds: Iterable<ReferenceKind>, fileBytes: number, defer?: boolean): Promise<void> {
    this.deferred.clear();
    for (const kind of kinds) {
      this.lastLines[kind] = null;
      if (this.warehouse.has(kind)) continue;
      if (defer ?? (await this.smallBeside(sql, kind, fileBytes))) this.deferred.set(kind, new Map());
      else this.warehouse.set(kind, await loadIds(sql, kind));
    }
  }

  private async smallBeside(sql: Sql, kind: ReferenceKind, fileBytes: number): Promise<boolean> {
    const [row] = await sql.query<{ rows: number }>(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = $1::regclass`, [TABLES[kind].table]);
    const rows = Number(row?.rows ?? -1);
    return rows > 0 && fileBytes < DEFER_BYTES_PER_ID * rows;
  }

  /** The file is read again from its start (lib/import/index.ts): what its first reading
   *  deferred is forgotten. */
  restart(): void {
    for (const pending of this.deferred.values()) pending.clear();
    this.lastLines.member = this.lastLines.plan = null;
  }

  /** A valid row of members.csv or plans.csv in this import. */
  add(kind: ReferenceKind, id: string): void {
    this.imported[kind].add(id);
  }

  /** Whether the id, named on `line`, exists (or, deferred, may: see above). */
  has(kind: ReferenceKind, id: string, line: number): boolean {
    const pending = this.deferred.get(kind);
    if (!pending) return this.loaded(kind).has(id) || this.imported[kind].has(id);
    if (this.imported[kind].has(id)) this.lastLines[kind] = null;
    else this.keep(kind, pending, id, line);
    return true;
  }

  /** `has` for the id whose UTF-8 bytes are src[from, to) (ASCII: the byte reader's cells). */
  hasBytes(kind: ReferenceKind, src: Uint8Array, from: number, to: number, line: number): boolean {
    const pending = this.deferred.get(kind);
    if (!pending) return this.loaded(kind).hasBytes(src, from, to) || this.imported[kind].hasBytes(src, from, to);
    if (this.imported[kind].hasBytes(src, from, to)) this.lastLines[kind] = null;
    else this.keep(kind, pending, Buffer.from(src.buffer, src.byteOffset, src.byteLength).toString("latin1", from, to), line);
    return true;
  }

  /** The id last looked up of this kind, named again on `line` (a row repeating the previous
   *  row's cell, which the row writers do not look up again). */
  again(kind: ReferenceKind, line: number): void {
    this.lastLines[kind]?.push(line);
  }

  private keep(kind: ReferenceKind, pending: Map<string, number[]>, id: string, line: number): void {
    let lines = pending.get(id);
    if (!lines) pending.set(id, (lines = []));
    lines.push(line);
    this.lastLines[kind] = lines;
  }

  /**
   * Checks the ids the file's deferred references named against the warehouse, and reports
   * each line that names one it does not hold, in line order, under the file's column for that
   * kind (`references`).
   */
  async checkDeferred(sql: Sql, file: string, references: readonly { column: string; kind: ReferenceKind }[], problems: ProblemLog): Promise<void> {
    const unknown: { line: number; column: string; id: string; kind: ReferenceKind }[] = [];
    for (const { column, kind } of references) {
      const pending = this.deferred.get(kind);
      if (!pending || pending.size === 0) continue;
      const { table, column: key } = TABLES[kind];
      const missing = await sql.query<{ id: string }>(
        `SELECT id FROM unnest($1::text[]) AS id WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.${key} = id)`,
        [[...pending.keys()]],
      );
      for (const { id } of missing) for (const line of pending.get(id)!) unknown.push({ line, column, id, kind });
    }
    unknown.sort((a, b) => a.line - b.line);
    for (const u of unknown) problems.add(file, u.line, u.column, u.id, KnownIds.unknown(u.kind));
    this.deferred.clear();
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

/** Below this many bytes of file per id in the referenced table, its ids are checked deferred:
 *  at 2,000,000 members, files under 32 MB (about 270,000 claim lines of 100-120 bytes).
 *  Loading costs about 0.3 µs per id of the table (0.55-0.85 s for 2,000,000 members); deferring
 *  costs in proportion to the file: May's refresh of 173,489 lines naming 77,328 members read in
 *  1.74 s deferred against 2.49 s loaded (docs/benchmarks.md, eighth session). Where the two
 *  cross was not measured: the bound is kept at files well under the table's size. */
const DEFER_BYTES_PER_ID = 16;

/** The table's ids, as one text a line each: far cheaper to receive and split at millions of
 *  ids than a row per id. Should an id hold a line break, the count tells, and the ids come as
 *  JSON instead (slower to parse, never ambiguous). */
async function loadIds(sql: Sql, kind: ReferenceKind): Promise<IdSet> {
  const { table, column } = TABLES[kind];
  const [lines] = await sql.query<{ ids: string | null; n: number }>(`SELECT string_agg(${column}, E'\\n') AS ids, count(*)::int AS n FROM ${table}`);
  const n = lines?.n ?? 0;
  const ids = lines?.ids ? IdSet.ofLines(Buffer.from(lines.ids, "utf8")) : { set: new IdSet(), lines: 0 };
  if (ids.lines === n) return ids.set;
  const [json] = await sql.query<{ ids: string }>(`SELECT json_agg(${column})::text AS ids FROM ${table}`);
  const set = new IdSet(n);
  for (const id of JSON.parse(json!.ids) as string[]) set.add(id);
  return set;
}
