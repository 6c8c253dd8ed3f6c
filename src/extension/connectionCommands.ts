// The connection's commands (Connect, Switch Profile / Region, Select Execution Role, Create Default
// Bucket) as named factories over the one ConnectionManager, apart from the manager so that it needs no
// Services (which hold it).
import { register } from './commands';
import type { Services } from './services';

export const connectCommand = (s: Services) => () => s.connection.connectInteractive();
export const switchProfileCommand = (s: Services) => () => s.connection.switchProfile();
export const switchRegionCommand = (s: Services) => () => s.connection.switchRegion();
export const selectRoleCommand = (s: Services) => () => s.connection.selectRole();
export const createBucketCommand = (s: Services) => () => s.connection.createBucket();

export function registerConnectionCommands(services: Services): void {
  register(services, 'sagemakerHf.connect', connectCommand);
  register(services, 'sagemakerHf.switchProfile', switchProfileCommand);
  register(services, 'sagemakerHf.switchRegion', switchRegionCommand);
  register(services, 'sagemakerHf.selectRole', selectRoleCommand);
  register(services, 'sagemakerHf.createDefaultBucket', createBucketCommand);
}
