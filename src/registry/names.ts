/** Path-safe names, the same rules as the schemas' patterns (docs/format.md, "Names"). */
export const MODEL_NAME = /^(?!.*\.\.)[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9_-])?$/;
export const STAGE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;
