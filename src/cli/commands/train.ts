import { UserError } from '../../core/errors';
import type { CliContext } from '../context';

// Placeholder until the 'train' workflow lands; its owner replaces this file.
export const command = {
  summary: 'train (not available yet)',
  async run(_argv: string[], _ctx: CliContext): Promise<number> {
    throw new UserError("'train' is not implemented yet");
  },
};
