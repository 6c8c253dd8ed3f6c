import { UserError } from '../../core/errors';
import type { CliContext } from '../context';

// Placeholder until the 'predict' workflow lands; its owner replaces this file.
export const command = {
  summary: 'predict (not available yet)',
  async run(_argv: string[], _ctx: CliContext): Promise<number> {
    throw new UserError("'predict' is not implemented yet");
  },
};
