#!/usr/bin/env node
import { CLIENT_VERSION } from './core/version';
import { pushCommand } from './cli/push';
import { serveCommand } from './cli/serve';
import { statusCommand } from './cli/status';
import { syncCommand } from './cli/sync';

/** One subcommand of `polyaxon-tracking`. */
export interface CliCommand {
  /** One line shown by `polyaxon-tracking --help`. */
  summary: string;
  /** Full text shown by `polyaxon-tracking <command> --help`. */
  usage: string;
  /** Runs with the arguments after the command's name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

// A new subcommand is one more line here. Imports are static: the CLI is built into one file.
const COMMANDS: Record<string, CliCommand> = {
  serve: serveCommand,
  sync: syncCommand,
  status: statusCommand,
  push: pushCommand,
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return [
    'Usage: polyaxon-tracking <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `polyaxon-tracking <command> --help` for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${CLIENT_VERSION}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`polyaxon-tracking: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`polyaxon-tracking: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
