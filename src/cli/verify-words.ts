import type { Anchor, ChainVerdict } from '../domain/audit.js';

/** `--anchor SEQ:HASH`, as the audit channel's anchor line prints it; undefined when it is not that. */
export function parseAnchor(text: string): Anchor | undefined {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  return match ? { seq: Number(match[1]), hash: match[2]! } : undefined;
}

const span = (from: number, to: number) => (from === to ? `record ${from}` : `records ${from}–${to}`);

/**
 * What an intact verdict vouches for, in words: which records a key protects, which only a plain
 * hash (anyone who may write the store could have rewritten those), and what the anchors add.
 */
export function intactLines(verdict: Extract<ChainVerdict, { ok: true }>, anchors: readonly Anchor[]): string[] {
  const lines = [`audit log intact: ${verdict.records} record${verdict.records === 1 ? '' : 's'}`];
  if (verdict.records === 0) return lines;
  const plainUntil = (verdict.keyedFrom ?? verdict.records + 1) - 1;
  if (plainUntil > 0) {
    lines.push(`${span(1, plainUntil)}: plain SHA-256, written before ADDUSER_AUDIT_KEY was set; anyone who could write the store could have rewritten them with their hashes`);
  }
  if (verdict.keyedFrom !== undefined) {
    lines.push(`${span(verdict.keyedFrom, verdict.records)}: keyed (HMAC-SHA-256 under ADDUSER_AUDIT_KEY); rewriting them needs the key`);
  }
  for (const anchor of anchors) lines.push(`matches the anchor at record ${anchor.seq}: the records up to it are those the audit channel saw`);
  if (anchors.length === 0) {
    lines.push('no --anchor given: records removed from the end, or rewritten by someone with the key, would not show; pass the latest anchor line of the audit channel');
  }
  return lines;
}
