import { UserError } from '../../core/errors';
import type { CliContext } from '../context';

// Placeholder until the 'deploy' workflow lands; its owner replaces this file.
export const command = {
  summary: 'deploy (not available yet)',
  async run(_argv: string[], _ctx: CliContext): Promise<number> {
    throw new UserError("'deploy' is not implemented yet");
  },
};
