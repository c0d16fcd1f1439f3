/** Response plan for a request's `Range` header (RFC 9110 range requests). */
export type RangeDecision = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const SINGLE_RANGE_PATTERN = /^bytes=([0-9]*)-([0-9]*)$/i;

/**
 * Decides how to respond to `Range` for an object of `size` bytes; `end` is inclusive. Multiple
 * ranges and malformed headers get the full body, which RFC 9110 allows a server to send
 * instead of ignoring the request.
 */
export function decideRange(header: string | null, size: number): RangeDecision {
  if (header === null) return { kind: 'full' };

  const match = SINGLE_RANGE_PATTERN.exec(header.trim());
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };

  // Suffix range `bytes=-N`: the last N bytes.
  if (first === '') {
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - length), end: size - 1 };
  }

  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}
