/** A mistake in the command line or its values; printed without a stack trace, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Prints a result as one JSON object (`--json`) or as readable `label: value` lines. */
export function printResult(json: boolean | undefined, result: Record<string, unknown>, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${text}\n`);
}
