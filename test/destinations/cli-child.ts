import { main } from '../../src/cli/main.js';

/** The real CLI entry point, run from source in a child process (`node --import tsx`), for kill tests. */
process.exitCode = await main(process.argv);
