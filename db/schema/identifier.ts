import { customType } from "drizzle-orm/pg-core";

/**
 * A text column holding an identifier or code (member, claim, order, plan, payer key, procedure
 * code) that compares and sorts byte by byte (collation "C"), whatever the database's default
 * collation. Identifiers are opaque, so byte order is the right order for them; and it is the
 * fast one: under a locale collation (even C.UTF-8 on PostgreSQL 15) every sort, merge join,
 * index build and key insert on them goes through the C library's strcoll. Measured at
 * 2,000,000 members (docs/benchmarks.md): the derived-facts rebuild took about 20 % less time
 * and the import about 25 % less. Names meant for people (plan and payer names) keep the
 * database's collation.
 */
export const identifier = customType<{ data: string }>({
  dataType: () => 'text COLLATE "C"',
});
