import { invalidRequest } from './errors.ts';

/** Maximum characters of a rejected value quoted back in an error message. */
const QUOTED_VALUE_MAX = 40;

const quote = (value: string) => JSON.stringify(value.length > QUOTED_VALUE_MAX ? `${value.slice(0, QUOTED_VALUE_MAX)}…` : value);

/** Bounds and default of an integer query parameter. */
export interface IntegerBounds {
  min: number;
  max: number;
  default: number;
}

/**
 * Rejects query parameters the route does not define, so a misspelt name (`minscore`) fails
 * loudly instead of silently returning the default result.
 */
export function rejectUnknownParameters(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of new Set(query.keys())) {
    if (allowed.includes(name)) continue;
    const accepted = allowed.length > 0 ? `this route accepts ${allowed.join(', ')}` : 'this route accepts no query parameters';
    throw invalidRequest(name, `Unknown query parameter ${quote(name)}: ${accepted}.`);
  }
}

/** Returns the single value of a parameter, or undefined when it is absent; a repeated parameter is an error. */
export function readSingleParameter(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw invalidRequest(name, `Query parameter ${name} was given ${values.length} times: pass it at most once.`);
  return values[0];
}

/** Reads a decimal integer parameter within bounds; absent means the default, anything else invalid is an error. */
export function readIntegerParameter(query: URLSearchParams, name: string, bounds: IntegerBounds): number {
  const raw = readSingleParameter(query, name);
  if (raw === undefined) return bounds.default;

  const value = /^-?\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw invalidRequest(
      name,
      `Invalid ${name} ${quote(raw)}: expected an integer from ${bounds.min} to ${bounds.max}, or omit it for the default ${bounds.default}.`,
    );
  }
  return value;
}
