/*
 * The tests read with zod at hand, as the command line does (core/zod-on-demand.ts): a test of the path that loads zod
 * on demand forgets it first (forgetZod) and provides it again after.
 */
import '../../functions/io/zod-provided';
