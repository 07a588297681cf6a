// Runs emulator-probes.mjs against both emulators and prints one verdict per probe:
//   match / match(error)  the emulator does what the real service does
//   MISMATCH              runs, but the result differs from the real service's
//   FAILS                 the emulator rejects SQL the real service runs
//   ACCEPTS-INVALID       the emulator runs SQL the real service rejects
//   ok(no-expectation)    runs; no verified real-service result to compare with
// Writes every result to $OUT (default: <tmpdir>/emulator-probe-results.json).
//
// Needs the warehouse clients to be importable (@google-cloud/bigquery 8.x,
// snowflake-sdk 3.x) and the emulators installed (scripts/install-emulators.sh):
//   npx tsx test/conformance/probes/run-probes.mjs        (SKIP_SF=1: BigQuery only)
import { BigQuery } from "@google-cloud/bigquery";
import snowflake from "snowflake-sdk";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBigQueryEmulator, startSnowflakeEmulator } from "../emulators.ts";
import { PROBES, BQ_SETUP, SF_SETUP } from "./emulator-probes.mjs";
snowflake.configure({ logLevel: "OFF" });
function norm(v, sfType) {
  if (v === null || v === void 0) return null;
  if (typeof v === "bigint") return Number(v);
  if (Buffer.isBuffer(v)) return "hex:" + v.toString("hex");
  if (v instanceof Date) return sfType === "date" ? v.toISOString().slice(0, 10) : v.toISOString();
  if (typeof v === "object") {
    const name = v.constructor?.name;
    if (name === "BigQueryTimestamp") return new Date(v.value).toISOString();
    if (name === "BigQueryDate" || name === "BigQueryDatetime" || name === "BigQueryTime") return v.value;
    if (name === "BigQueryInt") return Number(v.value);
    if (name === "Big") return Number(v.toString());
    if (Array.isArray(v)) return v.map((x) => norm(x));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  }
  return v;
}
function typeTag(v) {
  if (v === null || v === void 0) return "null";
  if (typeof v === "object") return v.constructor?.name ?? "object";
  return typeof v;
}
function eq(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
const results = [];
const bqEmu = await startBigQueryEmulator();
const SKIP_SF = process.env.SKIP_SF === "1";
const sfEmu = SKIP_SF ? { stop: async () => {
} } : await startSnowflakeEmulator();
try {
  const bq = new BigQuery({ projectId: bqEmu.projectId, apiEndpoint: bqEmu.apiEndpoint, authClient: { async getRequestHeaders() {
    return new Headers();
  } } });
  const runBq = async (sql, params) => {
    const [job] = await bq.createQueryJob({ query: sql, params });
    const [rows] = await job.getQueryResults();
    const [md] = await job.getMetadata();
    return { rows, affected: md.statistics?.query?.numDmlAffectedRows, stype: md.statistics?.query?.statementType };
  };
  const conn = SKIP_SF ? null : snowflake.createConnection({ account: sfEmu.account, username: sfEmu.username, password: sfEmu.password, accessUrl: sfEmu.accessUrl });
  if (!SKIP_SF) await new Promise((res, rej) => conn.connect((e) => e ? rej(e) : res()));
  const runSf = (sql, binds) => new Promise((res, rej) => conn.execute({ sqlText: sql, binds, complete: (err, stmt, rows) => err ? rej(err) : res({ rows: rows ?? [], affected: stmt.getNumUpdatedRows(), types: Object.fromEntries((stmt.getColumns() ?? []).map((c) => [c.getName(), c.getType()])) }) }));
  for (const s of BQ_SETUP) await runBq(s);
  if (!SKIP_SF) for (const s of SF_SETUP) await runSf(s);
  for (const p of PROBES) {
    for (const side of ["bq", "sf"]) {
      const sql = p[side];
      if (!sql || SKIP_SF && side === "sf") continue;
      const expect = side === "bq" ? p.bqExpect : p.sfExpect;
      const r = { id: p.id, side, sql, note: p.note };
      try {
        const out = side === "bq" ? await runBq(sql, p.id === "params_named" ? { a: 5 } : void 0) : await runSf(sql, ["binds_positional", "bind_cast_shorthand", "bind_cast_function"].includes(p.id) ? p.id === "binds_positional" ? [5, "x"] : [5] : void 0);
        const rows = out.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, norm(v, out.types?.[k])])));
        r.status = "ok";
        r.rows = rows;
        r.affected = out.affected;
        r.types = out.types ?? Object.fromEntries(Object.entries(out.rows[0] ?? {}).map(([k, v]) => [k, typeTag(v)]));
        if (side === "sf") r.jsTypes = Object.fromEntries(Object.entries(out.rows[0] ?? {}).map(([k, v]) => [k, typeTag(v)]));
        if (expect === "error") r.verdict = "ACCEPTS-INVALID";
        else if (expect) {
          const actual = expect[0] && "affected" in expect[0] ? [{ affected: Number(out.affected) }] : rows;
          r.verdict = eq(actual, expect) ? "match" : "MISMATCH";
          r.expected = expect;
        } else r.verdict = "ok(no-expectation)";
      } catch (e) {
        r.status = "error";
        r.error = String(e?.message ?? e).split("\n")[0].slice(0, 400);
        r.verdict = expect === "error" ? "match(error)" : "FAILS";
      }
      results.push(r);
      console.log(`${r.verdict.padEnd(18)} ${side} ${p.id} ${r.status === "ok" ? JSON.stringify(r.rows).slice(0, 200) : r.error.slice(0, 200)}`);
    }
  }
  if (!SKIP_SF) await new Promise((r) => conn.destroy(r));
} finally {
  writeFileSync(process.env.OUT ?? join(tmpdir(), "emulator-probe-results.json"), JSON.stringify(results, null, 1));
  await bqEmu.stop();
  await sfEmu.stop();
}
