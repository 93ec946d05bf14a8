/** The serve edge's entry point: what the `serve` command (and a program embedding the server) uses. */
export { startServe, type ServeOptions, type RunningServer } from './start.js';
export { COMMIT_HEADER, DEFAULT_LIMITS, type Health, type Limits } from './server.js';
