import { describe, expect, it } from 'vitest';
import { choiceRule } from '../../../src/dsl/asl/choice-rule.js';
import { INPUT, type Scope } from '../../../src/dsl/asl/expressions.js';
import { evaluate } from '../../../src/engine/composition/logic.js';

/** Choice rules: every comparison operator (literal and …Path), the type tests, And/Or/Not, Step Functions' typing. */
const scope: Scope = { state: 'C', machine: 'm', self: INPUT, usesExecutionInput: () => undefined };
const test = (rule: Record<string, unknown>, input: unknown) => evaluate(choiceRule(scope, rule, 'Choices[0]'), { input, vars: {} });

const input = {
  s: 'b',
  n: 5,
  t: true,
  ts: '2016-03-14T01:59:00Z',
  later: '2016-03-14T02:59:00+01:00', // the same instant as ts
  nothing: null,
  other: { s: 'b', n: 5, t: true, ts: '2016-03-14T01:59:00Z' },
  file: 'log-2024.txt',
};

const cases: Array<[string, Record<string, unknown>, boolean]> = [
  ['StringEquals', { Variable: '$.s', StringEquals: 'b' }, true],
  ['StringEquals on a number', { Variable: '$.n', StringEquals: '5' }, false],
  ['StringLessThan', { Variable: '$.s', StringLessThan: 'c' }, true],
  ['StringGreaterThan', { Variable: '$.s', StringGreaterThan: 'c' }, false],
  ['StringLessThanEquals', { Variable: '$.s', StringLessThanEquals: 'b' }, true],
  ['StringGreaterThanEquals', { Variable: '$.s', StringGreaterThanEquals: 'c' }, false],
  ['StringEqualsPath', { Variable: '$.s', StringEqualsPath: '$.other.s' }, true],
  ['StringLessThanPath', { Variable: '$.s', StringLessThanPath: '$.other.s' }, false],
  ['StringGreaterThanPath', { Variable: '$.s', StringGreaterThanPath: '$.other.s' }, false],
  ['StringLessThanEqualsPath', { Variable: '$.s', StringLessThanEqualsPath: '$.other.s' }, true],
  ['StringGreaterThanEqualsPath', { Variable: '$.s', StringGreaterThanEqualsPath: '$.other.s' }, true],
  ['NumericEquals', { Variable: '$.n', NumericEquals: 5 }, true],
  ['NumericEquals on a string', { Variable: '$.s', NumericEquals: 5 }, false],
  ['NumericLessThan', { Variable: '$.n', NumericLessThan: 5 }, false],
  ['NumericGreaterThan', { Variable: '$.n', NumericGreaterThan: 4.5 }, true],
  ['NumericLessThanEquals', { Variable: '$.n', NumericLessThanEquals: 5 }, true],
  ['NumericGreaterThanEquals', { Variable: '$.n', NumericGreaterThanEquals: 6 }, false],
  ['NumericEqualsPath', { Variable: '$.n', NumericEqualsPath: '$.other.n' }, true],
  ['NumericLessThanPath', { Variable: '$.n', NumericLessThanPath: '$.other.n' }, false],
  ['NumericGreaterThanPath', { Variable: '$.n', NumericGreaterThanPath: '$.other.n' }, false],
  ['NumericLessThanEqualsPath', { Variable: '$.n', NumericLessThanEqualsPath: '$.other.n' }, true],
  ['NumericGreaterThanEqualsPath', { Variable: '$.n', NumericGreaterThanEqualsPath: '$.other.n' }, true],
  ['BooleanEquals', { Variable: '$.t', BooleanEquals: true }, true],
  ['BooleanEquals false', { Variable: '$.t', BooleanEquals: false }, false],
  ['BooleanEqualsPath', { Variable: '$.t', BooleanEqualsPath: '$.other.t' }, true],
  ['TimestampEquals across offsets', { Variable: '$.ts', TimestampEquals: '2016-03-14T02:59:00+01:00' }, true],
  ['TimestampEquals on a non-timestamp', { Variable: '$.s', TimestampEquals: '2016-03-14T01:59:00Z' }, false],
  ['TimestampLessThan', { Variable: '$.ts', TimestampLessThan: '2016-03-14T02:00:00Z' }, true],
  ['TimestampGreaterThan', { Variable: '$.ts', TimestampGreaterThan: '2016-03-14T02:00:00Z' }, false],
  ['TimestampLessThanEquals', { Variable: '$.ts', TimestampLessThanEquals: '2016-03-14T01:59:00Z' }, true],
  ['TimestampGreaterThanEquals', { Variable: '$.ts', TimestampGreaterThanEquals: '2016-03-14T01:59:01Z' }, false],
  ['TimestampEqualsPath', { Variable: '$.ts', TimestampEqualsPath: '$.later' }, true],
  ['TimestampLessThanPath', { Variable: '$.ts', TimestampLessThanPath: '$.later' }, false],
  ['TimestampGreaterThanPath', { Variable: '$.ts', TimestampGreaterThanPath: '$.later' }, false],
  ['TimestampLessThanEqualsPath', { Variable: '$.ts', TimestampLessThanEqualsPath: '$.later' }, true],
  ['TimestampGreaterThanEqualsPath', { Variable: '$.ts', TimestampGreaterThanEqualsPath: '$.other.ts' }, true],
  ['StringMatches with *', { Variable: '$.file', StringMatches: 'log-*.txt' }, true],
  ['StringMatches no match', { Variable: '$.file', StringMatches: 'log-*.csv' }, false],
  ['StringMatches escaped star', { Variable: '$.file', StringMatches: 'log-\\*.txt' }, false],
  ['StringMatches several stars', { Variable: '$.file', StringMatches: '*-*4*' }, true],
  ['IsNull', { Variable: '$.nothing', IsNull: true }, true],
  ['IsNull false', { Variable: '$.s', IsNull: false }, true],
  ['IsPresent', { Variable: '$.nothing', IsPresent: true }, true],
  ['IsPresent on a missing field', { Variable: '$.missing', IsPresent: true }, false],
  ['IsPresent false', { Variable: '$.missing', IsPresent: false }, true],
  ['IsNumeric', { Variable: '$.n', IsNumeric: true }, true],
  ['IsString', { Variable: '$.n', IsString: true }, false],
  ['IsBoolean', { Variable: '$.t', IsBoolean: true }, true],
  ['IsTimestamp', { Variable: '$.ts', IsTimestamp: true }, true],
  ['IsTimestamp on a plain string', { Variable: '$.s', IsTimestamp: true }, false],
  ['And', { And: [{ Variable: '$.n', NumericGreaterThanEquals: 5 }, { Variable: '$.n', NumericLessThan: 30 }] }, true],
  ['Or', { Or: [{ Variable: '$.n', NumericEquals: 1 }, { Variable: '$.s', StringEquals: 'b' }] }, true],
  ['Not', { Not: { Variable: '$.s', StringEquals: 'Private' } }, true],
  ['And guarding a missing field', { And: [{ Variable: '$.missing', IsPresent: true }, { Variable: '$.missing', StringEquals: 'x' }] }, false],
];

describe('Choice rules', () => {
  it.each(cases)('%s', (_name, rule, expected) => {
    expect(test(rule, input)).toBe(expected);
  });

  it('a comparison on a missing Variable fails the state (States.Runtime in Step Functions)', () => {
    expect(() => test({ Variable: '$.missing', StringEquals: 'x' }, input)).toThrow(/does not exist/);
  });

  it('refuses malformed rules at conversion, naming the state', () => {
    expect(() => test({ Variable: '$.n', NumericEquals: '5' }, input)).toThrow(/state "C": Choices\[0\].NumericEquals must be a number/);
    expect(() => test({ Variable: '$.n', NumericEquals: 5, StringEquals: 'x' }, input)).toThrow(/exactly one comparison operator/);
    expect(() => test({ Variable: '$.n', StringContains: 'x' }, input)).toThrow(/StringContains is not a Choice operator/);
    expect(() => test({ And: [] }, input)).toThrow(/non-empty array/);
    expect(() => test({ Variable: 'n', IsNull: true }, input)).toThrow(/neither a path/);
  });
});
