import { createServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A STAND-IN for a BMC's Redfish service (no real BMC exists here): one ComputerSystem at
 * /redfish/v1/Systems/1 with Boot override properties and their AllowableValues, a Reset action, ETags that
 * change on every PATCH (If-Match enforced: 412 on a stale one), Basic auth or sessions, and switches to
 * misbehave: revert the override while answering 200 (bmclib#459), hang, refuse a reset type.
 */
export interface RedfishStandIn {
  url: string;
  /** Every request: method, path, headers and body, in order. */
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string }>;
  state: {
    powerState: 'On' | 'Off';
    boot: Record<string, string>;
    etag: number;
    resets: string[];
  };
  behaviour: {
    revertOverride: boolean;
    hang: boolean;
    /** Answer the next PATCH with 412 whatever its If-Match (a concurrent change). */
    staleOnce: boolean;
    allowedResets: string[];
    withMode: boolean;
    actionInfo: boolean;
  };
  close(): Promise<void>;
}

export async function startRedfishStandIn(tls: { key: string; cert: string }, credentials = { user: 'admin', password: 'bmc-secret-1' }): Promise<RedfishStandIn> {
  const sessions = new Set<string>();
  const stand: RedfishStandIn = {
    url: '',
    requests: [],
    state: { powerState: 'On', boot: { BootSourceOverrideTarget: 'None', BootSourceOverrideEnabled: 'Disabled', BootSourceOverrideMode: 'UEFI' }, etag: 1, resets: [] },
    behaviour: { revertOverride: false, hang: false, staleOnce: false, allowedResets: ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'PowerCycle'], withMode: true, actionInfo: false },
    close: async () => undefined,
  };
  const system = () => {
    const boot: Record<string, unknown> = { ...stand.state.boot, 'BootSourceOverrideTarget@Redfish.AllowableValues': ['None', 'Pxe', 'Hdd', 'Cd', 'BiosSetup'] };
    if (!stand.behaviour.withMode) delete boot.BootSourceOverrideMode;
    const reset: Record<string, unknown> = { target: '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset' };
    if (stand.behaviour.actionInfo) reset['@Redfish.ActionInfo'] = '/redfish/v1/Systems/1/ResetActionInfo';
    else reset['ResetType@Redfish.AllowableValues'] = stand.behaviour.allowedResets;
    return { '@odata.id': '/redfish/v1/Systems/1', Id: '1', PowerState: stand.state.powerState, Boot: boot, Actions: { '#ComputerSystem.Reset': reset } };
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const server: HttpsServer = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      stand.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      if (stand.behaviour.hang) return; // never answers
      if (req.method === 'POST' && path === '/redfish/v1/SessionService/Sessions') {
        const given = JSON.parse(body) as { UserName?: string; Password?: string };
        if (given.UserName !== credentials.user || given.Password !== credentials.password) return json(res, 401, { error: { message: 'bad credentials' } });
        const token = `tok-${sessions.size + 1}`;
        sessions.add(token);
        return json(res, 201, { '@odata.id': `/redfish/v1/SessionService/Sessions/${sessions.size}` }, { 'x-auth-token': token, location: `/redfish/v1/SessionService/Sessions/${sessions.size}` });
      }
      const basic = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
      const token = req.headers['x-auth-token'];
      if (req.headers.authorization !== basic && !(typeof token === 'string' && sessions.has(token))) return json(res, 401, { error: { message: 'unauthorized' } });
      if (req.method === 'DELETE' && path.startsWith('/redfish/v1/SessionService/Sessions/')) {
        if (typeof token === 'string') sessions.delete(token);
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'GET' && path === '/redfish/v1/Systems') return json(res, 200, { Members: [{ '@odata.id': '/redfish/v1/Systems/1' }] });
      if (req.method === 'GET' && path === '/redfish/v1/Systems/1') return json(res, 200, system(), { etag: `W/"${stand.state.etag}"` });
      if (req.method === 'GET' && path === '/redfish/v1/Systems/1/ResetActionInfo') {
        return json(res, 200, { Parameters: [{ Name: 'ResetType', Required: true, AllowableValues: stand.behaviour.allowedResets }] });
      }
      if (req.method === 'PATCH' && path === '/redfish/v1/Systems/1') {
        if (stand.behaviour.staleOnce || (req.headers['if-match'] !== undefined && req.headers['if-match'] !== `W/"${stand.state.etag}"`)) {
          stand.behaviour.staleOnce = false;
          stand.state.etag++;
          return json(res, 412, { error: { message: 'ETag mismatch' } });
        }
        const patch = JSON.parse(body) as { Boot?: Record<string, string> };
        if (!stand.behaviour.withMode && patch.Boot?.BootSourceOverrideMode !== undefined) return json(res, 400, { error: { message: 'unknown property BootSourceOverrideMode' } });
        if (!stand.behaviour.revertOverride) Object.assign(stand.state.boot, patch.Boot);
        stand.state.etag++;
        return json(res, 200, system());
      }
      if (req.method === 'POST' && path === '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset') {
        const { ResetType } = JSON.parse(body) as { ResetType: string };
        if (!stand.behaviour.allowedResets.includes(ResetType)) return json(res, 400, { error: { '@Message.ExtendedInfo': [{ Message: `ResetType ${ResetType} is not supported` }] } });
        stand.state.resets.push(ResetType);
        if (ResetType === 'ForceOff' || ResetType === 'GracefulShutdown') stand.state.powerState = 'Off';
        else stand.state.powerState = 'On';
        res.writeHead(204).end();
        return;
      }
      json(res, 404, { error: { message: 'not found' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  stand.url = `https://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  stand.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stand;
}
