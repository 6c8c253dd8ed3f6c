// Which execution role the editor uses, remembered per AWS profile and region. A role belongs to one
// account, so a role chosen under one profile must not follow the user to another profile (the old
// single machine-wide setting did). Pure: the extension keeps the memory (globalState) and the setting.

/** Role ARNs by roleKey(profile, region), the most recently chosen last. */
export type RoleMemory = Record<string, string>;

/** The key of a profile (undefined: the default credential chain) and a region. */
export const roleKey = (profile: string | undefined, region: string): string =>
  JSON.stringify([profile ?? null, region]);

/** [profile or null, region] of a key; undefined for a key this version did not write. */
function parseKey(key: string): [string | null, string] | undefined {
  try {
    const v = JSON.parse(key) as unknown;
    return Array.isArray(v) && v.length === 2 && typeof v[1] === 'string' ? [v[0] as string | null, v[1]] : undefined;
  } catch {
    return undefined;
  }
}

export const profileLabel = (profile: string | undefined): string => profile ?? 'default';

/** The role in use and what it belongs to, shown beside it ("default · us-east-1"). */
export interface RoleChoice {
  arn: string;
  origin: string;
}

/**
 * The role for a connection: a workspace's own sagemakerHf.executionRole first (a project bound to one
 * account says so), then the role chosen for this profile and region, then one chosen for this profile
 * in another region (IAM roles are account-wide, so it works there too), then a user-level setting set
 * by hand (a default for every profile). Undefined: none, the caller asks.
 */
export function roleFor(
  memory: RoleMemory,
  profile: string | undefined,
  region: string,
  setting: { workspace?: string; user?: string } = {},
): RoleChoice | undefined {
  if (setting.workspace) return { arn: setting.workspace, origin: 'workspace setting' };
  const exact = memory[roleKey(profile, region)];
  if (exact) return { arn: exact, origin: `${profileLabel(profile)} · ${region}` };
  const sameProfile = Object.entries(memory)
    .map(([k, arn]) => ({ key: parseKey(k), arn }))
    .filter((e) => e.key && e.key[0] === (profile ?? null))
    .at(-1);
  if (sameProfile?.key)
    return { arn: sameProfile.arn, origin: `${profileLabel(profile)} · chosen in ${sameProfile.key[1]}` };
  if (setting.user) return { arn: setting.user, origin: 'user setting' };
  return undefined;
}

/** Remembers `arn` for the profile and region, as the most recent choice of that profile. */
export function rememberRole(memory: RoleMemory, profile: string | undefined, region: string, arn: string): RoleMemory {
  const key = roleKey(profile, region);
  const rest = Object.fromEntries(Object.entries(memory).filter(([k]) => k !== key));
  return { ...rest, [key]: arn };
}

/**
 * The first time: the old machine-wide value (the user-level setting Select Execution Role wrote) becomes
 * the role of the profile and region in use now, and the setting is cleared so it follows no other
 * profile. `memory` undefined means not migrated yet; once migrated, a user-level value is one set by hand.
 */
export function migrateRole(
  memory: RoleMemory | undefined,
  legacyUserValue: string | undefined,
  profile: string | undefined,
  region: string,
): { memory: RoleMemory; clearLegacy: boolean } {
  if (memory) return { memory, clearLegacy: false };
  if (!legacyUserValue) return { memory: {}, clearLegacy: false };
  return { memory: { [roleKey(profile, region)]: legacyUserValue }, clearLegacy: true };
}
