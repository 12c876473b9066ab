import type { ChoiceNode, CompositionNode, Logic, TryNode } from '../../domain/composition.js';
import { choiceRule } from './choice-rule.js';
import { errorNames } from './errors-map.js';
import { INPUT, type Scope } from './expressions.js';
import { joinOf } from './join.js';
import { inputPath, outputPath, placeResult } from './pipeline.js';
import { isObj, type Json, MACHINE, refuse } from './refuse.js';
import { type StateContext, stateNode } from './states.js';

/**
 * ASL's goto graph (StartAt, Next, End, Choice, Catch) as the IR's structured nodes. A chain of states becomes a
 * sequence; a Choice becomes a choice whose branches run up to the state where they meet again, and the sequence
 * carries on from there (join.ts); branches that never meet each carry on to their end (converted once per branch,
 * within a node budget). A Catch becomes a try whose handlers, like the normal path, carry on the same way. A Choice that jumps back into the chain leading to it is a loop and
 * becomes a bounded `while`; any other cycle is refused, naming the state.
 */
export const MAX_NODES = 5_000;
/** Step Functions loops have no bound; the IR's loops need one. */
export const LOOP_MAX_ITERATIONS = 10_000;
const MAX_RUN = 200;
const UNSUPPORTED_FIELDS = ['Assign', 'Arguments', 'Output', 'Items', 'Condition'];
/** How deep machines and branches may nest: bounds the converter's recursion (and the IR's depth). */
export const MAX_NESTING = 100;

export class Converter implements StateContext {
  private nodes = 0;
  /** Nesting of machines (Parallel branches, Map processors) and of branches (Choice, Catch) being converted. */
  depth = 0;
  executionInputUsed = false;

  constructor(readonly machineName: string) {}

  scope(state: string): Scope {
    return {
      state,
      machine: this.machineName,
      self: INPUT,
      usesExecutionInput: () => {
        this.executionInputUsed = true;
      },
    };
  }

  /** The node count, to undo a conversion attempt. */
  mark(): number {
    return this.nodes;
  }

  reset(nodes: number): void {
    this.nodes = nodes;
  }

  count(state: string): void {
    if (++this.nodes > MAX_NODES) {
      refuse(state, `the state machine expands to more than ${MAX_NODES} nodes (states reached from many branches are converted once per branch)`);
    }
  }

  machine(def: unknown, state: string, where: string): CompositionNode {
    const label = state === MACHINE ? MACHINE : `${state}.${where}`;
    if (++this.depth > MAX_NESTING) refuse(label, `state machines nest more than ${MAX_NESTING} levels deep`);
    if (!isObj(def)) refuse(label, `${where} must be an object with StartAt and States`);
    if (def.QueryLanguage !== undefined && def.QueryLanguage !== 'JSONPath') refuse(label, 'only the JSONPath query language is supported (not JSONata)');
    if (!isObj(def.States) || Object.keys(def.States).length === 0) refuse(label, `${where === 'root' ? '' : `${where}.`}States must be a non-empty object`);
    if (typeof def.StartAt !== 'string' || !Object.prototype.hasOwnProperty.call(def.States, def.StartAt)) {
      refuse(label, `StartAt must name one of the States`);
    }
    const steps = new Graph(this, def.States).chain(def.StartAt, new Set());
    this.depth--;
    return steps.length === 1 ? steps[0]! : { type: 'sequence', steps };
  }
}

interface Loop {
  run: string[];
  latch: string;
  /** Rules (index; Default = rules.length) that lead back to the header, with the states on the way. */
  back: Map<number, string[]>;
}

class Graph {
  /** Where the branches being converted meet again: a chain reaching it stops there. */
  private stop: string | undefined;
  /** Whether a branch converted up to `stop` ended normally (End, Succeed) instead of reaching it. */
  private leaked = false;

  constructor(
    private readonly cv: Converter,
    private readonly states: Json,
  ) {}

  /**
   * Builds branches (`build`) up to where they meet again, if they do and none ends normally on the way; else as
   * branches that each carry on to the end. Returns the state to carry on from after them, if any.
   */
  private meet<T>(origin: string, targets: string[], seen: ReadonlySet<string>, build: () => T): { value: T; join?: string } {
    const join = joinOf(this.states, targets, new Set([...seen, origin]), this.stop);
    if (join !== undefined) {
      const saved = { stop: this.stop, leaked: this.leaked, nodes: this.cv.mark() };
      this.stop = join;
      this.leaked = false;
      let value: T;
      let leaked: boolean;
      try {
        value = build();
      } finally {
        leaked = this.leaked;
        this.stop = saved.stop;
        this.leaked = saved.leaked;
      }
      if (!leaked) return join === this.stop ? { value } : { value, join };
      this.cv.reset(saved.nodes);
    }
    return { value: build() };
  }

  private state(name: string, from: string): Json {
    if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(this.states, name)) {
      refuse(from, `Next names a state that does not exist: ${JSON.stringify(name)}`);
    }
    const st: unknown = this.states[name];
    if (!isObj(st)) refuse(name, 'a state must be an object');
    if (st.QueryLanguage !== undefined && st.QueryLanguage !== 'JSONPath') refuse(name, 'only the JSONPath query language is supported (not JSONata)');
    for (const f of UNSUPPORTED_FIELDS) if (f in st) refuse(name, `${f} is not supported (workflow variables and JSONata fields do not convert)`);
    if (('Retry' in st || 'Catch' in st) && st.Type !== 'Task' && st.Type !== 'Parallel' && st.Type !== 'Map') {
      refuse(name, 'Retry and Catch belong to Task, Parallel and Map states');
    }
    return st;
  }

  private node(name: string, st: Json): CompositionNode {
    this.cv.count(name);
    return stateNode(this.cv, name, st);
  }

  /** The IR steps for the chain of states from `start` to its end; `path` holds the states on the way here. */
  chain(start: string, path: ReadonlySet<string>, from = start): CompositionNode[] {
    if (++this.cv.depth > MAX_NESTING) refuse(start, `branches nest more than ${MAX_NESTING} levels deep`);
    try {
      return this.walk(start, path, from);
    } finally {
      this.cv.depth--;
    }
  }

  private walk(start: string, path: ReadonlySet<string>, from: string): CompositionNode[] {
    const seen = new Set(path);
    const steps: CompositionNode[] = [];
    let cur = start;
    let prev = from;
    for (;;) {
      if (cur === this.stop) return steps;
      const st = this.state(cur, prev);
      if (seen.has(cur)) {
        refuse(cur, 'is reached again through a cycle that is not a loop Whirl can convert (a Choice leading back to the states before it, with no Catch or other Choice on the way)');
      }
      const loop = this.loopAt(cur, seen);
      if (loop) return [...steps, ...this.loop(loop, seen)];
      seen.add(cur);
      const branching = st.Type === 'Choice' ? this.choice(cur, st, seen) : Array.isArray(st.Catch) && st.Catch.length > 0 ? this.caught(cur, st, seen) : undefined;
      if (branching) {
        steps.push(...branching.value);
        if (branching.join === undefined) return steps;
        prev = cur;
        cur = branching.join;
        continue;
      }
      steps.push(this.node(cur, st));
      if (st.Type === 'Succeed' || st.Type === 'Fail' || st.End === true) {
        if (this.stop !== undefined && st.Type !== 'Fail') this.leaked = true;
        return steps;
      }
      if (st.Next === undefined) refuse(cur, 'needs Next or "End": true');
      prev = cur;
      cur = st.Next;
    }
  }

  private choice(name: string, st: Json, seen: ReadonlySet<string>): { value: CompositionNode[]; join?: string } {
    if (!Array.isArray(st.Choices) || st.Choices.length === 0) refuse(name, 'Choices must be a non-empty array');
    const targets = [...st.Choices.map((r: unknown) => (isObj(r) ? r.Next : undefined)), st.Default].filter((t): t is string => typeof t === 'string');
    return this.meet(name, targets, seen, () => [this.choiceNode(name, st, seen)]);
  }

  private choiceNode(name: string, st: Json, seen: ReadonlySet<string>): CompositionNode {
    this.cv.count(name);
    const scope = this.cv.scope(name);
    const selected = inputPath(scope, st);
    const out = outputPath(scope, st);
    // With an OutputPath the rules still see the effective input: carry both, {c: rules' view, o: what goes on}.
    const self: Logic = out !== undefined ? { var: 'input.c' } : INPUT;
    const onward = (target: string): CompositionNode[] => {
      const rest = this.chain(target, seen, name);
      return out !== undefined ? [{ type: 'pass', value: { var: 'input.o' } }, ...rest] : rest.length > 0 ? rest : [{ type: 'pass' }];
    };
    const branches = st.Choices.map((rule: unknown, i: number) => {
      const next = isObj(rule) ? rule.Next : undefined;
      if (typeof next !== 'string') refuse(name, `Choices[${i}] needs Next`);
      return { when: choiceRule({ ...scope, self }, rule, `Choices[${i}]`), do: seq(onward(next)) };
    });
    const otherwise = st.Default !== undefined ? seq(onward(st.Default)) : noMatch(name);
    const node: ChoiceNode = { type: 'choice', id: name, branches, otherwise };
    if (out === undefined) return selected !== undefined ? { ...node, input: selected } : node;
    const sel = selected ?? INPUT;
    const pair: Logic = { 'asl:obj': ['c', sel, 'o', outputPath(scope, st, sel) ?? sel] };
    return { type: 'sequence', id: name, steps: [{ type: 'pass', value: pair }, node] };
  }

  /** A Task/Parallel/Map with Catch: its outcome tagged ok/caught, then a choice carries on along the right chain. */
  private caught(name: string, st: Json, seen: ReadonlySet<string>): { value: CompositionNode[]; join?: string } {
    const ends = st.Type === 'Succeed' || st.Type === 'Fail' || st.End === true;
    const targets = [...(st.Catch as unknown[]).map((c) => (isObj(c) ? c.Next : undefined)), ends ? undefined : st.Next].filter((t): t is string => typeof t === 'string');
    // A Task that ends the machine has no normal path to meet the handlers' paths again.
    if (ends) return { value: this.caughtNodes(name, st, seen) };
    return this.meet(name, targets, seen, () => this.caughtNodes(name, st, seen));
  }

  private caughtNodes(name: string, st: Json, seen: ReadonlySet<string>): CompositionNode[] {
    const work = this.node(name, st);
    const scope = this.cv.scope(name);
    const catchers = st.Catch as unknown[];
    const tag = (t: string, v: Logic): CompositionNode => ({ type: 'pass', value: { 'asl:obj': ['t', t, 'v', v] } });
    const handlers: NonNullable<TryNode['catch']> = catchers.map((c, i) => {
      if (!isObj(c) || typeof c.Next !== 'string') refuse(name, `Catch[${i}] needs ErrorEquals and Next`);
      const errors = errorNames(name, c.ErrorEquals, `Catch[${i}]`);
      const placed = placeResult(scope, c.ResultPath, { var: 'input.input' }, { 'asl:error': [{ var: 'input.error' }] }, `Catch[${i}].ResultPath`);
      return { ...(errors ? { errors } : {}), do: tag(`c${i}`, placed) };
    });
    const guarded: TryNode = { type: 'try', id: name, do: { type: 'sequence', steps: [work, tag('ok', INPUT)] }, catch: handlers };
    const unwrap: CompositionNode = { type: 'pass', value: { var: 'input.v' } };
    const normal = st.Type === 'Succeed' || st.Type === 'Fail' || st.End === true ? [] : this.chain(requireNext(name, st), seen, name);
    const route: ChoiceNode = {
      type: 'choice',
      branches: catchers.map((c, i) => ({
        when: { '==': [{ var: 'input.t' }, `c${i}`] },
        do: seq([unwrap, ...this.chain((c as Json).Next as string, seen, name)]),
      })),
      otherwise: seq([unwrap, ...normal]),
    };
    return [guarded, route];
  }

  /**
   * Whether `header` starts a loop: the states from it up to the first Choice form a plain run (no Catch, no
   * End), and some Choice rule leads (through plain states) back to `header`.
   */
  private loopAt(header: string, seen: ReadonlySet<string>): Loop | undefined {
    const run: string[] = [];
    let cur = header;
    for (;;) {
      if (seen.has(cur) || run.includes(cur) || run.length > MAX_RUN || !Object.prototype.hasOwnProperty.call(this.states, cur)) return undefined;
      const st: unknown = this.states[cur];
      if (!isObj(st)) return undefined;
      if (st.Type === 'Choice') break;
      if (!plain(st)) return undefined;
      run.push(cur);
      cur = st.Next as string;
    }
    const latch = cur;
    const c = this.states[latch] as Json;
    if (!Array.isArray(c.Choices)) return undefined;
    const targets: unknown[] = [...c.Choices.map((r: unknown) => (isObj(r) ? r.Next : undefined)), c.Default];
    const inRun = new Set([...run, latch]);
    const back = new Map<number, string[]>();
    const elsewhere: string[] = [];
    targets.forEach((t, i) => {
      const tail: string[] = [];
      let x = t;
      while (typeof x === 'string' && !inRun.has(x) && tail.length <= MAX_RUN && Object.prototype.hasOwnProperty.call(this.states, x)) {
        const s: unknown = this.states[x];
        if (!isObj(s) || s.Type === 'Choice' || !plain(s) || tail.includes(x)) return;
        tail.push(x);
        x = s.Next;
      }
      if (x === header) back.set(i, tail);
      else if (typeof x === 'string' && inRun.has(x)) elsewhere.push(x);
    });
    // Loops back to a later state only: that state starts the loop, found when the chain reaches it.
    if (back.size === 0) return undefined;
    if (elsewhere.length > 0) refuse(latch, `loops back to both ${header} and ${elsewhere[0]!}: a loop must go back to one state`);
    if (c.InputPath !== undefined || c.OutputPath !== undefined) refuse(latch, 'a Choice that closes a loop may not have InputPath or OutputPath');
    return { run, latch, back };
  }

  /** first pass of the run; while(the first matching rule leads back) { the way back; the run again }; the exits. */
  private loop(l: Loop, seen: ReadonlySet<string>): CompositionNode[] {
    const c = this.state(l.latch, l.latch);
    const scope = this.cv.scope(l.latch);
    const rules: unknown[] = c.Choices;
    const conds = rules.map((r, i) => choiceRule(scope, r, `Choices[${i}]`));
    const n = rules.length;
    // Which rule matches first (n = none: Default).
    const first: Logic = { if: [...conds.flatMap((cond, i) => [cond, i]), n] };
    const runNodes = (): CompositionNode[] => l.run.map((s) => this.node(s, this.state(s, l.latch)));
    const backIdx = [...l.back.keys()];
    const way = (tail: string[]): CompositionNode[] => tail.map((s) => this.node(s, this.state(s, l.latch)));
    const tails = [...l.back.values()];
    const allSame = tails.every((t) => JSON.stringify(t) === JSON.stringify(tails[0]));
    const wayBack: CompositionNode[] = allSame
      ? way(tails[0]!)
      : [
          {
            type: 'choice',
            branches: backIdx.map((i) => ({ when: { '==': [first, i] }, do: seq(way(l.back.get(i)!)) })),
            otherwise: { type: 'pass' },
          },
        ];
    this.cv.count(l.latch);
    const loop: CompositionNode = {
      type: 'while',
      id: l.latch,
      condition: { in: [first, backIdx] },
      maxIterations: LOOP_MAX_ITERATIONS,
      do: seq([...wayBack, ...runNodes()]),
    };
    const inside = new Set([...seen, ...l.run, l.latch, ...tails.flat()]);
    const exits: Array<{ when: Logic; do: CompositionNode }> = [];
    rules.forEach((r, i) => {
      if (!l.back.has(i)) exits.push({ when: conds[i], do: seq(this.chain((r as Json).Next as string, inside, l.latch)) });
    });
    const otherwise = l.back.has(n) || c.Default === undefined ? noMatch(l.latch) : seq(this.chain(c.Default as string, inside, l.latch));
    const exit: CompositionNode = exits.length > 0 ? { type: 'choice', id: l.latch, branches: exits, otherwise } : otherwise;
    return [...runNodes(), loop, exit];
  }
}

/** A state that simply goes on to its Next: no Choice, no Catch, not terminal. */
function plain(st: Json): boolean {
  return st.Type !== 'Choice' && st.Type !== 'Succeed' && st.Type !== 'Fail' && st.End !== true && typeof st.Next === 'string' && !(Array.isArray(st.Catch) && st.Catch.length > 0);
}

function requireNext(name: string, st: Json): string {
  if (typeof st.Next !== 'string') refuse(name, 'needs Next or "End": true');
  return st.Next;
}

function seq(steps: CompositionNode[]): CompositionNode {
  return steps.length === 1 ? steps[0]! : { type: 'sequence', steps };
}

function noMatch(state: string): CompositionNode {
  return { type: 'fail', error: 'States.NoChoiceMatched', cause: `no Choice rule matched in ${state} and it has no Default` };
}

