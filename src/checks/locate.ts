/** Pointing findings at the line of the field they concern. */
import { finding, type Finding, type FindingCode } from '../registry/findings.js';
import type { Loaded } from '../registry/snapshot.js';
import { positionOf } from '../schema/parsed.js';

export function findingAt(
  code: FindingCode,
  message: string,
  item: Loaded<unknown>,
  field: string,
  extra: { hint?: string; severity?: Finding['severity'] } = {},
): Finding {
  const pos = positionOf(item.doc, field);
  return finding(code, message, { file: item.file, line: pos?.line, column: pos?.column, field, ...extra });
}
