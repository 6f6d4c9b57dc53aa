import { type Link, LinkedList } from '../src/links.js';

class Entry implements Link<Entry> {
  prev: Entry | undefined = undefined;
  next: Entry | undefined = undefined;
  constructor(readonly name: string) {}
}

const names = (list: LinkedList<Entry>) => list.toArray().map((entry) => entry.name);

describe('LinkedList', () => {
  test('keeps entries in the order they were added; removes from the head, the middle and the tail', () => {
    const list = new LinkedList<Entry>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => new Entry(name)) as [Entry, Entry, Entry, Entry];
    for (const entry of [a, b, c, d]) list.push(entry);
    expect(names(list)).toEqual(['a', 'b', 'c', 'd']);
    expect(list.first).toBe(a);
    list.remove(b);
    expect(names(list)).toEqual(['a', 'c', 'd']);
    list.remove(a);
    expect(list.first).toBe(c);
    list.remove(d);
    expect(names(list)).toEqual(['c']);
    expect(list.size).toBe(1);
    list.remove(c);
    expect(list.size).toBe(0);
    expect(list.first).toBeUndefined();
    // Empty, then used again: head and tail were reset.
    list.push(b);
    list.push(a);
    expect(names(list)).toEqual(['b', 'a']);
  });

  test('removing an entry twice, or one never added, leaves the list as it was', () => {
    const list = new LinkedList<Entry>();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => new Entry(name)) as [Entry, Entry, Entry];
    list.push(a);
    list.push(b);
    list.remove(a);
    list.remove(a);
    list.remove(c);
    expect(names(list)).toEqual(['b']);
    expect(list.size).toBe(1);
    // An entry of another list is not this list's to remove.
    const other = new LinkedList<Entry>();
    other.push(c);
    list.remove(c);
    expect(names(list)).toEqual(['b']);
    expect(names(other)).toEqual(['c']);
  });

  test('an entry removed and added again goes to the end', () => {
    const list = new LinkedList<Entry>();
    const entries = ['a', 'b', 'c'].map((name) => new Entry(name));
    for (const entry of entries) list.push(entry);
    list.remove(entries[0] as Entry);
    list.push(entries[0] as Entry);
    expect(names(list)).toEqual(['b', 'c', 'a']);
  });

  test('100,000 entries added and removed in any order: all gone, the list usable', () => {
    const list = new LinkedList<Entry>();
    const entries = Array.from({ length: 100_000 }, (_, i) => new Entry(String(i)));
    for (const entry of entries) list.push(entry);
    // Every third, then the rest backwards.
    for (let i = 0; i < entries.length; i += 3) list.remove(entries[i] as Entry);
    for (let i = entries.length - 1; i >= 0; i--) list.remove(entries[i] as Entry);
    expect(list.size).toBe(0);
    expect(list.first).toBeUndefined();
    list.push(entries[5] as Entry);
    expect(names(list)).toEqual(['5']);
  });
});
