import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cdp, removeProject, writeProject } from '../helpers/project.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0)) await clean();
});

async function holdPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

describe('cdp sandbox on a taken port', () => {
  it('says which port is taken, by what, and how to pick another', async () => {
    const dir = await writeProject({});
    cleanups.push(() => removeProject(dir));
    const taken = await holdPort();
    const result = await cdp(dir, ['sandbox', '--port-hubspot', '0', '--port-salesforce', String(taken), '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error port-in-use: port ${taken} on 127.0.0.1, wanted by the Salesforce sandbox, is already in use by another process (is another \`cdp sandbox\` running?) (stop that process, or pick another port: --port-salesforce <port> (0 picks a free one))\n`,
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ command: 'sandbox', ok: false, exit_code: 1, error: { code: 'port-in-use' } });
  });
});
