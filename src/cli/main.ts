#!/usr/bin/env node
import { nodeEnvironment } from '../node/environment';
import { installEnvironment } from '../runtime/installed';
import { CLIENT_VERSION } from '../runtime/version';
import type { CliCommand } from './command';
import { pushCommand } from './push';
import { serveCommand } from './serve';
import { statusCommand } from './status';
import { syncCommand } from './sync';

// The CLI is an entry point, like index.node.ts: the clients its commands build run on Node.
installEnvironment(nodeEnvironment());

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
