import { UserError } from '../../core/errors';
import type { CliContext } from '../context';

// Placeholder until the 'delete' workflow lands; its owner replaces this file.
export const command = {
  summary: 'delete (not available yet)',
  async run(_argv: string[], _ctx: CliContext): Promise<number> {
    throw new UserError("'delete' is not implemented yet");
  },
};
