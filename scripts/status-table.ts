/**
 * The README's status table, generated from core's `STATUS_TABLE` (statuses from `ERROR_STATUS`).
 * `pnpm readme:statuses` rewrites the region between the markers in README.md (and nothing else);
 * test/readme-statuses.test.ts fails when the README drifts from the code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { rowStatus, STATUS_TABLE, type StatusRow } from '@im-callbacks/core/adapter';
import { alignedTable, currentRegion, README, withRegion } from './command-table';

export const START = '<!-- statuses:start -->';
export const END = '<!-- statuses:end -->';

function reported(row: StatusRow): string {
  if (row.codes.length === 0) return row.note === undefined ? '—' : `— (${row.note})`;
  const classes = row.reports?.startsWith('`') ? row.reports : `\`${row.reports}\``;
  const codes = [...new Set(row.codes)].map((code) => `\`${code}\``).join(', ');
  return `${classes} (${codes}${row.note === undefined ? '' : `; ${row.note}`})`;
}

/** The markdown table: situation, status, body, what `onError` gets. */
export function statusTable(rows: readonly StatusRow[] = STATUS_TABLE): string {
  return alignedTable(
    ['situation', 'status', 'body', '`onError` gets'],
    rows.map((row) => [row.situation, String(rowStatus(row)), row.body, reported(row)]),
  ).join('\n');
}

export const withStatusTable = (readme: string, table: string = statusTable()) => withRegion(readme, START, END, table);
export const currentStatusTable = (readme: string) => currentRegion(readme, START, END);

function main(): void {
  const readme = readFileSync(README, 'utf8');
  const next = withStatusTable(readme);
  if (next !== readme) writeFileSync(README, next);
  process.stdout.write(`README.md: status table ${next === readme ? 'already up to date' : 'written'}\n`);
}

if (require.main === module) main();
