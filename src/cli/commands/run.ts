import { UserError } from '../../core/errors';
import type { CliContext } from '../context';

// Placeholder until the 'run' workflow lands; its owner replaces this file.
export const command = {
  summary: 'run (not available yet)',
  async run(_argv: string[], _ctx: CliContext): Promise<number> {
    throw new UserError("'run' is not implemented yet");
  },
};
