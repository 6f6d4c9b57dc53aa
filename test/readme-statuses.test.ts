/** The README's status table is generated from core's status table: this fails when it drifts. */
import { readFileSync } from 'node:fs';
import { ERROR_STATUS, rowStatus, STATUS_TABLE } from '@im-callbacks/core/adapter';
import { README } from '../scripts/command-table';
import { currentStatusTable, END, START, statusTable, withStatusTable } from '../scripts/status-table';

describe('README status table', () => {
  it('matches the code (run `pnpm readme:statuses` to regenerate)', () => {
    expect(currentStatusTable(readFileSync(README, 'utf8'))).toBe(statusTable());
  });

  it('has a row for every error code, and each row one status', () => {
    const listed = new Set(STATUS_TABLE.flatMap((row) => row.codes));
    expect(Object.keys(ERROR_STATUS).filter((code) => !listed.has(code as keyof typeof ERROR_STATUS))).toEqual([]);
    for (const row of STATUS_TABLE) expect(() => rowStatus(row)).not.toThrow();
  });

  it('takes statuses from ERROR_STATUS: a changed status changes the table', () => {
    const row = STATUS_TABLE.find((entry) => entry.codes.includes('BODY_TOO_LARGE'));
    expect(row && rowStatus(row)).toBe(ERROR_STATUS.BODY_TOO_LARGE);
    expect(() => rowStatus({ situation: 'mixed', codes: ['SIGN_INVALID', 'BODY_TOO_LARGE'], body: '' })).toThrow(
      /different statuses/,
    );
  });

  it('rewrites only the region between the markers', () => {
    const readme = `# T\n\n${START}\nstale\n${END}\n\nafter\n`;
    expect(withStatusTable(readme, 'TABLE')).toBe(`# T\n\n${START}\nTABLE\n${END}\n\nafter\n`);
  });
});
