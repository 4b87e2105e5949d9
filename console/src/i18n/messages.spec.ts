import { describe, expect, it } from '@jest/globals';
import { en } from './en';
import { lv } from './lv';

/** The `{name}` placeholders of a message, sorted: a translation must fill in the same ones. */
const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

// The type makes en.ts name every key of lv.ts; these checks catch what it cannot: a key left over in one file
// (an object spread or a cast gets past the type), an empty message, a placeholder dropped or misspelt.
describe('the console message files', () => {
  it('have the same keys in Latvian and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(lv).sort());
  });

  it('have no empty message', () => {
    for (const messages of [lv, en] as Array<Record<string, string>>)
      expect(Object.entries(messages).filter(([, text]) => text.trim() === '')).toEqual([]);
  });

  it('fill in the same placeholders in both languages', () => {
    const differing = Object.entries(lv)
      .filter(([key, text]) => placeholders(text).join() !== placeholders(en[key as keyof typeof lv]).join())
      .map(([key]) => key);
    expect(differing).toEqual([]);
  });

  it('start the inbox filter choices with a capital, as every other label does', () => {
    for (const key of ['inbox.snoozed.exclude', 'inbox.snoozed.include', 'inbox.snoozed.only'] as const) {
      expect(lv[key][0]).toBe(lv[key][0].toUpperCase());
      expect(en[key][0]).toBe(en[key][0].toUpperCase());
    }
    expect(en['inbox.snoozed.exclude']).toBe('Not snoozed');
  });
});
