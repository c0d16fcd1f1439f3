/**
 * A capture time as the source recorded it.
 *
 * `local` is the wall-clock time stored in a Date's UTC fields (2015-06-11 10:29:26 becomes
 * `Date.UTC(2015, 5, 11, 10, 29, 26)`), so no step ever consults the server's time zone. It maps
 * to the `captured_at_local` column (timestamp without time zone), which ignores any zone
 * designator written into it. `instant` and `offsetMinutes` are null when the source gave no
 * offset: such a time cannot be placed on the timeline.
 */
export interface CapturedAt {
  instant: Date | null;
  local: Date;
  offsetMinutes: number | null;
}

/** The three `files` columns that hold a capture time. */
export interface CapturedAtColumns {
  capturedAt: Date | null;
  capturedAtLocal: Date | null;
  capturedAtOffsetMinutes: number | null;
}

/** Largest UTC offset the `files_captured_at_offset_range` constraint accepts: 18 hours. */
const MAX_OFFSET_MINUTES = 18 * 60;

const ISO_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const EXIF_PATTERN = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const OFFSET_PATTERN = /^([+-])(\d{2}):?(\d{2})$/;

/** Builds a wall-clock Date from calendar fields, or null when they name no real time (month 13, 31 April). */
function wallClock(fields: readonly number[], milliseconds = 0): Date | null {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = fields;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, milliseconds));
  const roundTrips =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return roundTrips && year > 0 ? date : null;
}

/** Parses `+03:00`, `-0700` or `Z` into minutes east of UTC; returns undefined for other text and for offsets beyond 18 hours. */
export function parseOffset(text: string): number | undefined {
  if (text.toUpperCase() === 'Z') return 0;
  const match = OFFSET_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, sign, hours, minutes] = match;
  const total = Number(hours) * 60 + Number(minutes);
  if (Number(minutes) >= 60 || total > MAX_OFFSET_MINUTES) return undefined;
  return sign === '-' ? -total : total;
}

function withOffset(local: Date, offsetMinutes: number | null): CapturedAt {
  const instant = offsetMinutes === null ? null : new Date(local.getTime() - offsetMinutes * 60_000);
  return { instant, local, offsetMinutes };
}

/**
 * Parses an ISO 8601 date-time such as `2022-08-14T14:12:31+03:00`, `2021-01-02T17:42:46.000000Z`
 * or `2015-06-11T10:29:26` (no offset: wall-clock only). Returns null for anything else.
 */
export function parseIsoDateTime(text: string): CapturedAt | null {
  const match = ISO_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone] = match;
  const milliseconds = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = wallClock([year, month, day, hour, minute, second].map(Number), milliseconds);
  if (!local) return null;

  if (zone === undefined) return withOffset(local, null);
  const offsetMinutes = parseOffset(zone);
  return offsetMinutes === undefined ? null : withOffset(local, offsetMinutes);
}

/**
 * Parses EXIF `DateTimeOriginal` (`2015:06:11 10:29:26`) with `OffsetTimeOriginal` (`+03:00`)
 * when present. Blank or all-zero dates, which cameras write when the clock was never set,
 * return null. An invalid offset leaves the time without one.
 */
export function parseExifDateTime(dateTime: unknown, offset?: unknown): CapturedAt | null {
  if (typeof dateTime !== 'string') return null;
  const match = EXIF_PATTERN.exec(dateTime.trim());
  if (!match) return null;
  const local = wallClock(match.slice(1).map(Number));
  if (!local) return null;
  const offsetMinutes = typeof offset === 'string' ? parseOffset(offset.trim()) : undefined;
  return withOffset(local, offsetMinutes ?? null);
}

/** Maps a capture time to the `files` columns; null maps to three nulls. */
export function toCapturedAtColumns(capturedAt: CapturedAt | null): CapturedAtColumns {
  return {
    capturedAt: capturedAt?.instant ?? null,
    capturedAtLocal: capturedAt?.local ?? null,
    capturedAtOffsetMinutes: capturedAt?.offsetMinutes ?? null,
  };
}

const pad = (value: number, width = 2) => String(Math.abs(value)).padStart(width, '0');

function formatWallClock(local: Date): string {
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  return `${date}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
}

function formatOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
}

/**
 * Formats a file's capture time for the API, to whole seconds: `2022-08-14T14:12:31+03:00`
 * with an offset, `2021-01-02T17:42:46Z` for UTC, and `2015-06-11T10:29:26` (ISO 8601 local
 * time, no designator) when the source recorded no offset. Returns null when the file has none.
 */
export function formatCapturedAt(row: CapturedAtColumns): string | null {
  const offset = row.capturedAtOffsetMinutes;
  if (row.capturedAtLocal) {
    return formatWallClock(row.capturedAtLocal) + (offset === null ? '' : formatOffset(offset));
  }
  if (row.capturedAt) {
    // An instant without its wall-clock time: show it in its offset, or in UTC when none was stored.
    const shift = offset ?? 0;
    return formatWallClock(new Date(row.capturedAt.getTime() + shift * 60_000)) + formatOffset(shift);
  }
  return null;
}
