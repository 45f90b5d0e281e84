import type { Sql } from "@/db/client";

// Payers named in plans.csv (and by FHIR Coverages), SPEC sections 2, 3 and 11.
//
// A name that is one of the five listed payers' keys or display names, ignoring case, spacing
// and punctuation ("BCBS", "Blue Cross Blue Shield"), is that payer. Any other name is a payer
// of its own: the one loaded earlier under a name with the same letters and digits ("Humana",
// "HUMANA"), else a new one, keyed by the slug of its name — unless that slug is empty, longer
// than a key may be, or a reserved key. Names are never matched to Unknown payer or to anything
// else the product gives a meaning of its own: a payer called "Unknown", "Unknown payer", "All"
// or "Total" is a payer like any other.

/** Keys a payer named in the data never gets: `unknown` is Unknown payer (SPEC section 2), the
 *  others are words pages and reports use for rows that are not a payer (all payers, the total,
 *  the unattributed). A name whose slug is one of them is keyed `payer_<slug>`. */
export const RESERVED_PAYER_KEYS = ["all", "none", "null", "total", "unattributed", "unknown"] as const;

/** The longest key (lib/filters.ts reads payer keys of at most 64 characters). */
const MAX_KEY = 64;

const reserved = RESERVED_PAYER_KEYS.map((k) => `'${k}'`).join(", ");
const compact = (expr: string) => `regexp_replace(lower(${expr}), '[^a-z0-9]', '', 'g')`;
const slug = (expr: string) => `trim(both '-' from regexp_replace(lower(${expr}), '[^a-z0-9]+', '-', 'g'))`;

/** What makes two names one payer: their letters and digits a–z, 0–9 in lower case; a name
 *  with none of them (written in another script) is compared whole, in lower case. */
const identity = (expr: string) => `CASE WHEN ${compact(expr)} <> '' THEN ${compact(expr)} ELSE lower(btrim(${expr})) END`;

/** The listed payer (one of the five) that a name is, or NULL. */
const listedPayer = (expr: string) =>
  `(SELECT p.key FROM payers p WHERE p.listed AND ${compact(expr)} IN (${compact("p.key")}, ${compact("p.display_name")}) ORDER BY p.sort_order LIMIT 1)`;

/** The payer added by an earlier import under a name of the same identity, or NULL. */
const earlierPayer = (expr: string) =>
  `(SELECT p.key FROM payers p WHERE NOT p.listed AND p.key NOT IN (${reserved}) AND ${identity("p.display_name")} = ${identity(expr)} ORDER BY p.key LIMIT 1)`;

/** The key of a new payer: the slug of its name (`Humana Gold` → `humana-gold`); for a slug
 *  that is reserved, `payer_<slug>` (`Unknown` → `payer_unknown`); for a name without a letter
 *  or digit a–z, 0–9, `payer_` and 10 hex digits of the MD5 of its identity; for a slug longer
 *  than 64 characters, its first 53, `_` and those 10 hex digits. A slug never holds `_`, so
 *  these keys cannot meet the slug of another name, nor each other. */
function newPayerKey(expr: string): string {
  const s = slug(expr);
  const hash = `left(md5(${identity(expr)}), 10)`;
  return `CASE WHEN ${s} = '' THEN 'payer_' || ${hash}
    WHEN ${s} IN (${reserved}) THEN 'payer_' || ${s}
    WHEN length(${s}) > ${MAX_KEY} THEN rtrim(left(${s}, ${MAX_KEY - 11}), '-') || '_' || ${hash}
    ELSE ${s} END`;
}

/** An SQL expression over a payer name that is equal for two names exactly when the import
 *  makes them one payer (above), without adding anything: for comparing payers before anything
 *  is written (lib/fhir/resolve.ts). */
export function payerIdentitySql(expr: string): string {
  return `coalesce(${listedPayer(expr)}, '~' || ${identity(expr)})`;
}

/** Resolves the `payer` names of `table` (plans staged by lib/import or lib/fhir) to payer keys,
 *  in a new column `payer_key`, adding the payers met for the first time (sort order 100: after
 *  the five, by name). Within one import, names of one identity are one payer, keyed and shown
 *  by the first of them in byte order. */
export async function resolvePayers(sql: Sql, table: string): Promise<void> {
  await sql.exec(`
    ALTER TABLE ${table} ADD COLUMN payer_key text;
    WITH names AS (SELECT DISTINCT payer FROM ${table}),
    matched AS (
      SELECT payer, ${identity("payer")} AS identity, coalesce(${listedPayer("payer")}, ${earlierPayer("payer")}) AS key FROM names
    ),
    fresh AS (
      SELECT DISTINCT ON (identity) identity, ${newPayerKey("payer")} AS key, payer AS display_name
      FROM matched WHERE key IS NULL ORDER BY identity, payer COLLATE "C"
    ),
    added AS (
      INSERT INTO payers (key, display_name, sort_order, listed) SELECT key, display_name, 100, false FROM fresh
      ON CONFLICT (key) DO NOTHING
    )
    UPDATE ${table} t SET payer_key = coalesce(m.key, f.key)
    FROM matched m LEFT JOIN fresh f USING (identity)
    WHERE t.payer = m.payer;
  `);
}
