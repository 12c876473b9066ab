/** What an action runs: a code kind, a blackbox image, or a sequence of other actions (`Exec.scala`). */
export type Exec = CodeExec | BlackboxExec | SequenceExec;

export interface CodeExec {
  kind: string; // e.g. "nodejs:20"
  code: string;
  binary: boolean;
  main?: string;
}

export interface BlackboxExec {
  kind: 'blackbox';
  image: string;
  binary: boolean;
  code?: string;
  main?: string;
}

export interface SequenceExec {
  kind: 'sequence';
  components: string[];
}

export function isSequence(exec: Exec): exec is SequenceExec {
  return exec.kind === 'sequence';
}

export function isBlackbox(exec: Exec): exec is BlackboxExec {
  return exec.kind === 'blackbox';
}

/** OpenWhisk infers `binary`: trimmed code whose length is a multiple of 4 and that is valid base64. */
export function isBinaryCode(code: string): boolean {
  const t = code.trim();
  return t.length > 0 && t.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(t);
}

/** A runtime family's kinds, with the one `family:default` resolves to. */
export interface RuntimeManifest {
  family: string;
  kinds: Array<{ kind: string; image: string; default?: boolean }>;
}

/** The kinds Whirl ships. Images are built locally (see runtimes/nodejs). */
export function resolveKind(kind: string, manifests: readonly RuntimeManifest[]): { kind: string; image: string } | undefined {
  for (const m of manifests) {
    for (const k of m.kinds) {
      if (k.kind === kind) return { kind: k.kind, image: k.image };
      if (kind === `${m.family}:default` && k.default) return { kind: k.kind, image: k.image };
    }
  }
  return undefined;
}

export function allKinds(manifests: readonly RuntimeManifest[]): string[] {
  return manifests.flatMap((m) => m.kinds.map((k) => k.kind)).concat(['blackbox', 'sequence']);
}
