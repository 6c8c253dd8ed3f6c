import { UserError } from '../../core/errors';
import type { CliContext } from '../context';

// Placeholder until the 'logs' workflow lands; its owner replaces this file.
export const command = {
  summary: 'logs (not available yet)',
  async run(_argv: string[], _ctx: CliContext): Promise<number> {
    throw new UserError("'logs' is not implemented yet");
  },
};
