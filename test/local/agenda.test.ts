import fc from 'fast-check';
import { Agenda } from '../../functions/local/agenda';
import { seededRandom, shuffled } from '../../functions/local/random';
import { assertProperty } from '../support/property';

describe('Agenda', () => {
  it('gives entries earliest first and, at one time, in the order they were added', () => {
    assertProperty(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const agenda = new Agenda<number>();
        times.forEach((at, index) => agenda.add(at, index));
        const taken: { at: number; item: number }[] = [];
        for (let entry = agenda.take(); entry; entry = agenda.take()) taken.push(entry);
        const expected = times.map((at, index) => ({ at, item: index })).sort((a, b) => a.at - b.at || a.item - b.item);
        expect(taken).toEqual(expected);
      }),
    );
  });
});

describe('seededRandom', () => {
  it('repeats for a seed, differs between seeds, and stays in [0, 1)', () => {
    const a = Array.from({ length: 5 }, seededRandom('x'));
    expect(Array.from({ length: 5 }, seededRandom('x'))).toEqual(a);
    expect(Array.from({ length: 5 }, seededRandom('y'))).not.toEqual(a);
    const r = seededRandom(1);
    for (let i = 0; i < 10_000; i += 1) {
      const value = r();
      expect(value >= 0 && value < 1).toBe(true);
    }
  });

  it('shuffles into a permutation', () => {
    assertProperty(
      fc.property(fc.array(fc.integer()), fc.string(), (items, seed) => {
        expect(shuffled(items, seededRandom(seed)).sort()).toEqual([...items].sort());
      }),
    );
  });
});
