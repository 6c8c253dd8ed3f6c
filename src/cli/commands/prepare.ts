import { UserError } from '../../core/errors';
import type { CliContext } from '../context';

// Placeholder until the 'prepare' workflow lands; its owner replaces this file.
export const command = {
  summary: 'prepare (not available yet)',
  async run(_argv: string[], _ctx: CliContext): Promise<number> {
    throw new UserError("'prepare' is not implemented yet");
  },
};
