import type { Sql } from "@/db/client";
import { storeReconciliationDays } from "@/lib/reconciliation/stored";

type FindingCell = { as_of: string; finding: string; date: string; payer_key: string; plan_id: string | null; product_line: string | null; findings: number };

/** The stored reconciliation findings, per day and per month, every row in a fixed order. */
export async function storedFindingRows(db: Sql): Promise<{ days: FindingCell[]; months: FindingCell[] }> {
  const rows = (table: string, date: string) =>
    db.query<FindingCell>(
      `SELECT as_of::text AS as_of, finding, ${date}::text AS date, payer_key, plan_id, product_line::text AS product_line, findings FROM ${table}
       ORDER BY as_of, finding, ${date}, payer_key, plan_id NULLS FIRST, product_line::text NULLS FIRST, findings`,
    );
  return { days: await rows("reconciliation_days", "day"), months: await rows("reconciliation_months", "month") };
}

class RolledBack extends Error {}

/**
 * The findings as counting them afresh would store them for the snapshot `asOf`
 * (storeReconciliationDays over every study, order and line), in a transaction rolled back: what
 * an import that keeps them by difference must have stored, row for row (one row a cell, none at
 * zero, none of another date).
 */
export async function findingRowsCountedAfresh(db: Sql, asOf: string): Promise<{ days: FindingCell[]; months: FindingCell[] }> {
  let counted: Awaited<ReturnType<typeof storedFindingRows>> | null = null;
  try {
    await db.transaction(async (tx) => {
      await tx.exec(`DELETE FROM reconciliation_days; DELETE FROM reconciliation_months;`);
      await storeReconciliationDays(tx, asOf);
      counted = await storedFindingRows(tx);
      throw new RolledBack();
    });
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
  }
  return counted!;
}
