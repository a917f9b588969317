/** Small helpers shared by the training CLIs: argument parsing and one-line error exits. */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** A mistake in the user's input: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type ArgKind = 'string' | 'number' | 'boolean';
type ArgValue = string | number | boolean;

/** Parses `--name value` / `--flag` arguments against a spec; unknown or malformed options throw UsageError. */
export function parseArgs<S extends Record<string, ArgKind>>(
  argv: string[],
  spec: S,
): Partial<Record<keyof S, ArgValue>> {
  const out: Partial<Record<keyof S, ArgValue>> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('--')) throw new UsageError(`unexpected argument "${token}"`);
    const [name, inline] = token.slice(2).split('=', 2) as [string, string | undefined];
    const kind = spec[name];
    if (!kind)
      throw new UsageError(
        `unknown option --${name} (known: ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    if (kind === 'boolean') {
      out[name as keyof S] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value`);
    if (kind === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
      out[name as keyof S] = n;
    } else out[name as keyof S] = raw;
  }
  return out;
}

/** True when the module with this `import.meta.url` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}

/** Runs a CLI entry point: any failure becomes one line on stderr and a non-zero exit code. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      console.error(`error: ${message}`);
      if (process.env.FISHLENS_DEBUG && error instanceof Error) console.error(error.stack);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
