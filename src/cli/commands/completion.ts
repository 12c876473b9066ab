import type { GroupSpec } from '../command.js';
import { completionScript } from '../completion.js';

export const completionGroup: GroupSpec = {
  name: 'completion',
  summary: 'print a shell completion script (bash or zsh)',
  commands: [
    {
      name: 'bash',
      summary: 'bash completion: source <(whirl completion bash)',
      needsAuth: false,
      run: async (ctx) => ctx.out.raw(completionScript('bash', ctx.groups)),
    },
    {
      name: 'zsh',
      summary: 'zsh completion: source <(whirl completion zsh)',
      needsAuth: false,
      run: async (ctx) => ctx.out.raw(completionScript('zsh', ctx.groups)),
    },
  ],
};
