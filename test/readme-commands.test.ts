/** The README's command table is generated from the catalogue: this fails when it drifts. */
import { readFileSync } from 'node:fs';
import { commandList } from '@im-callbacks/core';
import {
  commandTable,
  currentCommandTable,
  decisionForms,
  END,
  README,
  START,
  withCommandTable,
} from '../scripts/command-table';

describe('README command table', () => {
  it('matches the catalogue (run `pnpm readme:commands` to regenerate)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(currentCommandTable(readme)).toBe(commandTable());
  });

  it('has one row per command, with its kind and decision forms', () => {
    const rows = commandTable()
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/ \|$/, '').trim()));
    expect(rows.map((cells) => cells[0])).toEqual(commandList.map((spec) => `\`${spec.command}\``));
    for (const [index, spec] of commandList.entries()) {
      expect(rows[index]?.[1]).toBe(spec.form === 'ack' ? 'after' : 'before');
      expect(rows[index]?.[2]).toBe(spec.summary);
    }
    expect(decisionForms(commandList.find((s) => s.command === 'C2C.CallbackBeforeSendMsg')!)).toEqual([
      'allow()',
      'allow({ MsgBody, CloudCustomData })',
      'reject(code 1 or 120001–130000, info)',
      'discard()',
    ]);
    expect(
      decisionForms(commandList.find((s) => s.command === 'OfficialAccount.CallbackBeforeAddSubscriber')!),
    ).toEqual(['allow()', 'reject(code 1, info)', 'refuseOnly(accounts)']);
  });

  it('rewrites only the region between the markers', () => {
    const readme = `# Title\n\nintro\n\n## Commands\n\n${START}\nstale\n${END}\n\n## After\n`;
    const next = withCommandTable(readme, 'TABLE');
    expect(next).toBe(`# Title\n\nintro\n\n## Commands\n\n${START}\nTABLE\n${END}\n\n## After\n`);
    expect(withCommandTable(next, 'TABLE')).toBe(next);
    expect(() => withCommandTable('# no markers', 'TABLE')).toThrow(/commands:start/);
  });
});
