/**
 * What a command checks of its arguments before anything is read, as library entry points: the rules
 * live in the core (changes/names.ts, changes/gc-plan.ts); commands, and any caller of the library, reach
 * them here (the dependency rules keep commands on the API: .dependency-cruiser.cjs).
 */
export { assertStageName } from '../changes/names.js';
export { parseDuration } from '../changes/gc-plan.js';
