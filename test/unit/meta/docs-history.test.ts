import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * README.md and docs/ are product documentation: what Whirl does and guarantees today. How it came to be lives in
 * git log. Each pattern below names a way development history creeps into prose; ordinary product words (a
 * composition's "first step", a "round trip", a "previous attempt" of a retry, a login "session") do not match.
 */
const HISTORY: Array<[RegExp, string]> = [
  [/\b(?:this|that|last|previous|next|earlier|later|work)\s+session\b|\bthe session's\b|\bof the session\b/i, 'a development session'],
  [/\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))[- ](?:session|round|iteration|pass|attempt at)\b/i, 'a numbered round of work'],
  [/\b(?:this|that|last|previous|next|earlier|later|each)\s+(?:round|iteration)\b(?!\s+trip)/i, 'a round of work'],
  [/\bround\s+\d+\b/i, 'a numbered round'],
  [/\b(?:we|I)\s+(?:tried|tested|found|chose|decided|dropped|measured|fixed|changed|rewrote|replaced|added|removed)\b/i, 'the team narrating its work'],
  [/\bpreviously\b/i, '"previously"'],
  [/\b(?:before|after) (?:this|the) (?:change|fix|rewrite|session|round)\b/i, 'a before/after of a change'],
  [/\b(?:issue|ticket) #?\d+\b/i, 'an issue number'],
  [/\bwhat was (?:dropped|tried|measured)\b|\btried and dropped\b/i, 'a log of attempts'],
  [/\bwhere the issue (?:is|was) silent\b|\bthe issue (?:asks|asked|says|said)\b/i, 'the work item behind a choice'],
  [/\bnot (?:built|wired|implemented|fixed|measured) yet\b|\bleft to do\b|\bnot yet (?:built|wired|fixed)\b/i, 'a to-do list'],
  [/\b(?:the )?(?:shared )?(?:2-core )?development (?:machine|host)\b|\bother engineers\b/i, 'the team\'s machine'],
];

function docFiles(): string[] {
  return ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
}

/** Every line of text that reads as development history, as `file:line: text (why)`. */
export function historyLines(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const [re, why] of HISTORY) if (re.test(line)) found.push(`${file}:${i + 1}: ${line.trim()} (${why})`);
  });
  return found;
}

describe('product documentation speaks of the product, not of its development', () => {
  it('flags history and leaves product prose alone', () => {
    for (const bad of [
      'In the fourth session the invoker got faster.',
      'Results of the third round:',
      'We tried a second Redis connection.',
      'Previously, records were written one by one.',
      'This round: blocking p50 down 0.1 ms.',
      'See issue 18.',
    ]) {
      expect(historyLines('x', bad), bad).not.toEqual([]);
    }
    for (const good of [
      'The first step of a composition receives its input.',
      'A raw HTTP round trip to a warm container.',
      'A retry waits before its second attempt.',
      'The console keeps a session cookie for the key.',
      'A redelivered activation is marked, and its previous attempt ends as whisk internal error.',
      'Each run prints ratios against bare baselines measured in the same run.',
    ]) {
      expect(historyLines('x', good), good).toEqual([]);
    }
  });

  it.each(docFiles())('%s has no line of development history', (file) => {
    expect(historyLines(file, readFileSync(file, 'utf8'))).toEqual([]);
  });
});
