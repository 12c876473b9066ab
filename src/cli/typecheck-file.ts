/**
 * Type-checks a TypeScript composition module before `composition deploy` sends it (tsx, which loads it, only strips
 * types). Uses the `typescript` package when it can be loaded — installed beside Whirl or the project — and returns
 * `undefined` when it cannot (the caller says so and goes on). Returns the errors, each `file(line,col): message`.
 */
export async function typecheckFile(path: string): Promise<string[] | undefined> {
  let ts: typeof import('typescript');
  try {
    ts = (await import('typescript')).default;
  } catch {
    return undefined;
  }
  const program = ts.createProgram([path], {
    noEmit: true,
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file || d.start === undefined) return message;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${d.file.fileName}(${line + 1},${character + 1}): ${message}`;
    });
}
