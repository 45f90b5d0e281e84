// node scripts/load-users.mjs — concurrent dashboard users against a running server (SPEC
// section 9: 20 users, no error, p95 ≤ 1 s). Each user loads the pages below in turn, reads
// the whole HTML, then waits THINK ms (randomised ±60 %) before the next. Prints the overall
// and per-page latencies. Environment: BASE (http://localhost:3000), USERS (20), SECONDS (60),
// THINK (5000; 0 for users who never pause).
const BASE = process.env.BASE ?? "http://localhost:3000";
const USERS = Number(process.env.USERS ?? 20);
const SECONDS = Number(process.env.SECONDS ?? 60);
const THINK = Number(process.env.THINK ?? 5000);
const PAGES = ["/", "/payers/aetna", "/payers/medicare?measure=result_documented", "/orders", "/fractures", "/data", "/reports", "/?groupBy=month&payer=cigna"];

const all = [];
const byPage = new Map(PAGES.map((p) => [p, []]));
const errors = [];
const end = Date.now() + SECONDS * 1000;

await Promise.all(
  Array.from({ length: USERS }, async (_, user) => {
    for (let i = user; Date.now() < end; i++) {
      const page = PAGES[i % PAGES.length];
      const started = performance.now();
      try {
        const response = await fetch(BASE + page);
        await response.text();
        if (response.status !== 200) errors.push(`${response.status} ${page}`);
      } catch (error) {
        errors.push(`${page}: ${error}`);
      }
      const ms = performance.now() - started;
      all.push(ms);
      byPage.get(page).push(ms);
      if (THINK > 0) await new Promise((resolve) => setTimeout(resolve, THINK * (0.4 + 1.2 * Math.random())));
    }
  }),
);

const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))].toFixed(0);
console.log(`${USERS} users, think ${THINK} ms, ${SECONDS} s: ${all.length} pages, ${errors.length} errors, p50 ${quantile(all, 0.5)} ms, p95 ${quantile(all, 0.95)} ms`);
for (const [page, values] of byPage) if (values.length) console.log(`  ${page.padEnd(45)} ${String(values.length).padStart(4)} pages  p50 ${quantile(values, 0.5)} ms  p95 ${quantile(values, 0.95)} ms`);
for (const error of errors.slice(0, 5)) console.log(`  error: ${error}`);
