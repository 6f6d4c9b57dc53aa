/**
 * The README's command table, generated from the catalogue. `pnpm readme:commands` rewrites the
 * region between the markers in README.md (and nothing else); test/readme-commands.test.ts fails
 * when the README drifts from the catalogue.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CommandSpec, commandList } from '@im-callbacks/core';
import { DECISION_FORMS, DECISION_HELPERS } from '@im-callbacks/core/catalogue';

export const START = '<!-- commands:start -->';
export const END = '<!-- commands:end -->';
export const README = path.resolve(__dirname, '../README.md');

const range = (codes: readonly [number, number] | undefined) => (codes ? `${codes[0]}–${codes[1]}` : undefined);

/** The decision helpers a command's handler may return, as they are written in code (from the decision forms). */
export function decisionForms(spec: CommandSpec): string[] {
  const custom = range(spec.rejectCodes);
  // Friend callbacks refuse per friend with an app code only; the others take 1 or their app range.
  const codes = spec.form === 'friend' ? custom : custom ? `1 or ${custom}` : '1';
  return DECISION_FORMS[spec.form].map((kind) =>
    kind === 'reject' ? `reject(code ${codes}, info)` : DECISION_HELPERS[kind],
  );
}

/** Code points, not UTF-16 units: the width the markdown formatter (biome) aligns columns by. */
const width = (text: string) => [...text].length;

/** A markdown table with its columns padded as `biome format` pads them (so `pnpm lint` passes). */
export function alignedTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((cell, column) => Math.max(width(cell), 3, ...rows.map((row) => width(row[column] ?? ''))));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - width(cell))).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The markdown table: command, kind, meaning, decisions. */
export function commandTable(specs: readonly CommandSpec[] = commandList): string {
  const rows = specs.map((spec) => {
    const forms = decisionForms(spec);
    return [
      `\`${spec.command}\``,
      spec.form === 'ack' ? 'after' : 'before',
      spec.summary.replaceAll('|', '\\|'),
      forms.length === 0 ? '—' : forms.map((form) => `\`${form}\``).join(' · '),
    ];
  });
  return [
    `${specs.length} commands. A before-callback's handler returns one of its decisions (nothing = \`allow()\`); after-callbacks are acknowledged.`,
    '',
    ...alignedTable(['command', 'kind', 'meaning', 'decisions'], rows),
  ].join('\n');
}

/** `readme` with the region between `start` and `end` replaced by `table`. */
export function withRegion(readme: string, start: string, end: string, table: string): string {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to === -1 || to < from) {
    throw new Error(`README.md has no ${start} ... ${end} region`);
  }
  return `${readme.slice(0, from + start.length)}\n${table}\n${readme.slice(to)}`;
}

/** The text of the region between `start` and `end` in `readme`, or undefined. */
export function currentRegion(readme: string, start: string, end: string): string | undefined {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to === -1 || to < from) return undefined;
  return readme.slice(from + start.length, to).trim();
}

/** `readme` with the region between the markers replaced by the table. */
export function withCommandTable(readme: string, table: string = commandTable()): string {
  return withRegion(readme, START, END, table);
}

/** The table as it stands in `readme` (between the markers), or undefined. */
export function currentCommandTable(readme: string): string | undefined {
  return currentRegion(readme, START, END);
}

function main(): void {
  // Re-read right before writing: the rest of the README is edited by hand.
  let readme: string;
  try {
    readme = readFileSync(README, 'utf8');
  } catch {
    readme = `## Commands\n\n${START}\n${END}\n`;
  }
  const next = withCommandTable(readme);
  if (next !== readme) writeFileSync(README, next);
  process.stdout.write(
    `README.md: ${commandList.length} commands ${next === readme ? 'already up to date' : 'written'}\n`,
  );
}

if (require.main === module) main();
