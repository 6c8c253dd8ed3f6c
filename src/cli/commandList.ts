// The subcommands by name, apart from main.ts (which runs the CLI when loaded) so that tests can read
// each command's help without starting it. The type makes the names those of commandOptions.ts.
import type { CommandName } from './commandOptions';
import type { CliCommand } from './context';
import { command as connectCommand } from './commands/connect';
import { command as prepareCommand } from './commands/prepare';
import { command as trainCommand } from './commands/train';
import { command as logsCommand } from './commands/logs';
import { command as deployCommand } from './commands/deploy';
import { command as predictCommand } from './commands/predict';
import { command as deleteCommand } from './commands/delete';
import { command as runCommand } from './commands/run';
import { command as imagesCommand } from './commands/images';
import { command as stopCommand } from './commands/stop';
import { command as releaseWarmPoolCommand } from './commands/releaseWarmPool';

export const commands: { [C in CommandName]: CliCommand<C> } = {
  connect: connectCommand,
  prepare: prepareCommand,
  train: trainCommand,
  logs: logsCommand,
  deploy: deployCommand,
  predict: predictCommand,
  delete: deleteCommand,
  run: runCommand,
  images: imagesCommand,
  stop: stopCommand,
  'release-warm-pool': releaseWarmPoolCommand,
};
