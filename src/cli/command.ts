/**
 * One subcommand of `polyaxon-tracking`. Its own file so that the commands and main.ts, which
 * lists them, both import it and neither imports the other.
 */
export interface CliCommand {
  /** One line shown by `polyaxon-tracking --help`. */
  summary: string;
  /** Full text shown by `polyaxon-tracking <command> --help`. */
  usage: string;
  /** Runs with the arguments after the command's name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}
