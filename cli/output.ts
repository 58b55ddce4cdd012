import type { OutputJson } from '../reports/json.js';
import { documentToJson } from '../reports/json.js';

/**
 * Where a command's output goes. With `--json`, stdout holds exactly one JSON document and every
 * line meant for people goes to stderr; without it, results go to stdout. Notes about files
 * written go to stderr either way, so that stdout is only the result.
 */
export class Output {
  constructor(readonly json: boolean) {}

  /** Text for people: the result itself without --json, stderr with it. */
  say(text: string): void {
    (this.json ? process.stderr : process.stdout).write(text + '\n');
  }

  /** A note beside the result ("wrote FILE"): always stderr. */
  note(text: string): void {
    process.stderr.write(text + '\n');
  }

  /** The result: its JSON document with --json, else its text. */
  result(doc: OutputJson, text: () => string): void {
    if (this.json) process.stdout.write(documentToJson(doc) + '\n');
    else process.stdout.write(text() + '\n');
  }
}
