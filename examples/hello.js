// A greeting: `greeting` (a default parameter, or per invocation) and `name` (per invocation).
function main(params) {
  return { payload: `${params.greeting ?? 'Hello'} ${params.name ?? 'world'}` };
}
