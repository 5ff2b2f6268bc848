/**
 * What every `polyaxon-tracking` command does with its arguments: strict parsing (no positionals,
 * unknown options refused), `--help` to stdout with exit 0, and a usage error to stderr with the
 * usage and exit 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type ParsedArgs<T> = ({ kind: 'ok' } & T) | { kind: 'help' } | { kind: 'error'; message: string };

type Options = NonNullable<ParseArgsConfig['options']>;

/** The values of `options` (plus `-h/--help`), or the parser's message. */
export function readOptions<O extends Options>(args: string[], options: O) {
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } },
    });
    return { kind: 'values' as const, values };
  } catch (error) {
    return { kind: 'error' as const, message: (error as Error).message };
  }
}

/** Prints the usage for `--help`, the error and the usage for bad arguments, else runs. */
export async function runParsed<T>(
  command: string,
  usage: string,
  parsed: ParsedArgs<T>,
  run: (options: T) => Promise<number>,
): Promise<number> {
  if (parsed.kind === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`polyaxon-tracking ${command}: ${parsed.message}\n\n${usage}\n`);
    return 2;
  }
  const { kind: _kind, ...options } = parsed;
  return run(options as unknown as T);
}
