import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { Writable } from "node:stream";
import postgres from "postgres";

// The plainest tool for loading claim lines: PostgreSQL's own COPY of the CSV file, as is,
// into a bare table of the same column types with no key, no index and no validation. The
// import is measured against it (SPEC section 9).
const BARE_TABLE = `
  CREATE TABLE bench_bare_claim_lines (
    line_number integer, claim_id text, frequency_code smallint, received_date date,
    member_id text, plan_id text, claim_type text, service_date date, procedure_code text,
    modifiers text, place_of_service text, line_status text, units integer,
    billed_amount numeric(14,2), paid_amount numeric(14,2), rendering_npi text, diagnosis_codes text
  )`;

/** Seconds for `COPY … FROM STDIN` of the file (its header names the columns). */
export async function timePlainCopy(databaseUrl: string, csvPath: string): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`DROP TABLE IF EXISTS bench_bare_claim_lines`);
    await sql.unsafe(BARE_TABLE);
    const header = await firstLine(csvPath);
    const started = performance.now();
    const writable = await sql
      .unsafe(`COPY bench_bare_claim_lines (${header}) FROM STDIN WITH (FORMAT csv, HEADER true)`)
      .writable();
    await pipeline(createReadStream(csvPath), writable as Writable);
    const seconds = (performance.now() - started) / 1000;
    await sql.unsafe(`DROP TABLE bench_bare_claim_lines`);
    return seconds;
  } finally {
    await sql.end();
  }
}

async function firstLine(csvPath: string): Promise<string> {
  for await (const chunk of createReadStream(csvPath, { encoding: "utf8", end: 4096 })) {
    return String(chunk).split(/\r?\n/)[0]!;
  }
  throw new Error(`${csvPath} is empty`);
}
