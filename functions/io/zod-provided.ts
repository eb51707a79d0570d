import * as z from 'zod';
import { provideZod } from '../core/zod-on-demand';

/*
 * Imported first by what reads with zod at hand (the CLI, the functions other than the gate and the hook, the tests):
 * the readers' schemas are built with this zod (core/zod-on-demand.ts), so no read there needs `withZod`.
 */
provideZod(z);
