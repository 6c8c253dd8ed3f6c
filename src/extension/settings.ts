import * as vscode from 'vscode';

export interface Settings {
  profile?: string;
  region?: string;
  executionRole?: string;
  endpointUrl?: string;
  pythonPath?: string;
  hubEndpoint?: string;
  maxJobsListed: number;
  /** Hours without a request after which an InService endpoint is marked idle. */
  idleEndpointHours: number;
}

const str = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('sagemakerHf');
  return {
    profile: str(c.get<string>('profile')),
    region: str(c.get<string>('region')),
    executionRole: str(c.get<string>('executionRole')),
    endpointUrl: str(c.get<string>('endpointUrl')),
    pythonPath: str(c.get<string>('pythonPath')),
    hubEndpoint: str(c.get<string>('hubEndpoint')),
    maxJobsListed: c.get<number>('jobs.maxListed') ?? 50,
    idleEndpointHours: c.get<number>('idleEndpointHours') ?? 2,
  };
}

export async function updateSetting(
  key: keyof Omit<Settings, 'maxJobsListed' | 'idleEndpointHours'>,
  value: string | undefined,
): Promise<void> {
  await vscode.workspace.getConfiguration('sagemakerHf').update(key, value ?? '', vscode.ConfigurationTarget.Global);
}
