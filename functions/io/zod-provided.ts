import * as z from 'zod';
import { provideZod } from '../core/zod-on-demand';

/*
 * Imported first by what reads with zod at hand and runs outside Lambda: the CLI (cli/program.ts,
 * cli/simulate-scenario.ts), the local backend (local/task-definitions.ts) and the tests (test/support/zod-provided.ts,
 * except the jest project that leaves it out on purpose, jest.config.js). The readers' schemas are built with this zod
 * (core/zod-on-demand.ts), so no read there needs `withZod`. No Lambda entry imports it: every Lambda function, not
 * only the gate and the hook, reads through `withZod` (its adapters wrap their readers), so zod is loaded on demand.
 */
provideZod(z);
