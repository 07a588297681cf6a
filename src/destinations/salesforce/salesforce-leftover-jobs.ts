import type { SalesforceCall } from './salesforce-context.js';

/** One job of `GET /jobs/ingest` (docs/crm/salesforce.md#bulk-api-20). */
interface JobSummary {
  readonly id: string;
  readonly object: string;
  readonly state: string;
  readonly createdById: string;
}

interface JobPage {
  readonly done: boolean;
  readonly records: readonly JobSummary[];
  readonly nextRecordsUrl: string | null;
}

/** Ids of the ingest jobs this process opened: never aborted as leftovers, even while still Open. */
const OPENED_HERE = new Set<string>();
/** Opening a job and listing leftovers never overlap, so a job being opened here is always known by then. */
let registry: Promise<unknown> = Promise.resolve();

function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const run = registry.then(work, work);
  registry = run.catch(() => undefined);
  return run;
}

/** Opens a job through `open` (which returns its id) and remembers it as this process's own. */
export function openJob<T extends { readonly id?: string }>(open: () => Promise<T>): Promise<T> {
  return exclusive(async () => {
    const job = await open();
    if (job.id) OPENED_HERE.add(job.id);
    return job;
  });
}

/**
 * Aborts the Bulk API 2.0 ingest jobs a killed cdp run left `Open` (docs/crm/salesforce.md#how-cdp-uses-it):
 * jobs of the user cdp signs in as, on one of `objects`, still `Open` (never uploaded or never closed, so
 * Salesforce would keep them open until they expire), and not opened by this process. Jobs in any other
 * state finish on their own and are left alone. The run lock makes sure no other cdp run is uploading
 * meanwhile. Returns the aborted job ids; an abort Salesforce refuses (the job moved on) is skipped.
 */
export async function abortLeftoverJobs(calls: { readonly read: SalesforceCall; readonly send: SalesforceCall }, objects: readonly string[]): Promise<string[]> {
  const wanted = new Set(objects.map((o) => o.toLowerCase()));
  const leftovers = await exclusive(async () => {
    const found: string[] = [];
    let url: string | null = '/jobs/ingest?jobType=V2Ingest';
    let userId: string | undefined;
    while (url !== null) {
      const next: string = url;
      const page = await calls.read(async (conn) => {
        userId = conn.userInfo?.id;
        return conn.request<JobPage>(next);
      });
      for (const job of page.records ?? []) {
        if (job.state === 'Open' && job.createdById === userId && wanted.has(String(job.object).toLowerCase()) && !OPENED_HERE.has(job.id)) found.push(job.id);
      }
      url = page.done ? null : page.nextRecordsUrl;
    }
    return found;
  });
  const aborted: string[] = [];
  for (const id of leftovers) {
    const ok = await calls
      .send((conn) => conn.bulk2.job('ingest', { id }).abort())
      .then(() => true)
      .catch(() => false);
    if (ok) aborted.push(id);
  }
  return aborted;
}
