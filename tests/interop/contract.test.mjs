// A client ProductOps did not generate: grpc-js with the .proto files loaded at run time,
// against the real all-in-one node started as a child process on loopback ports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const configuration = process.env.PRODUCTOPS_CONFIGURATION ?? 'Release';
const siloDll = join(repo, 'silo', 'ProductOps.Silo', 'bin', configuration, 'net10.0', 'ProductOps.Silo.dll');

let node;
let dataDir;
let ingest;
let query;
let admin;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitFor(condition, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

function call(client, method, request, key) {
  const metadata = new grpc.Metadata();
  if (key) metadata.add('x-api-key', key);
  return new Promise((resolve, reject) =>
    client[method](request, metadata, (error, response) => (error ? reject(error) : resolve(response))));
}

before(async () => {
  const [grpcPort, httpPort, siloPort, gatewayPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  dataDir = mkdtempSync(join(tmpdir(), 'productops-interop-'));
  node = spawn('dotnet', [
    siloDll,
    `--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:${grpcPort}`,
    `--Kestrel:Endpoints:Http:Url=http://127.0.0.1:${httpPort}`,
    `--ProductOps:Silo:SiloPort=${siloPort}`,
    `--ProductOps:Silo:GatewayPort=${gatewayPort}`,
    `--ProductOps:DataDir=${dataDir}`,
    '--ProductOps:LocalTrial=true',
  ], { stdio: 'ignore' });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok, 'the node to be healthy');

  const definition = protoLoader.loadSync(['productops/v1/ingest.proto', 'productops/v1/query.proto', 'productops/v1/admin.proto'], {
    includeDirs: [join(repo, 'protos')],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
  });
  const v1 = grpc.loadPackageDefinition(definition).productops.v1;
  ingest = new v1.IngestService(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
  query = new v1.QueryService(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
  admin = new v1.AdminService(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
});

after(() => {
  ingest?.close();
  query?.close();
  admin?.close();
  node?.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('Track and GetUser round-trip through a grpc-js client', async () => {
  const now = Date.now();
  const seconds = (ms) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 });
  const events = [
    { eventId: 'js-1', userId: 'js-user', name: 'session_start', sessionId: 's1', timestamp: seconds(now - 60_000) },
    { eventId: 'js-2', userId: 'js-user', name: 'feature_used', feature: 'search', sessionId: 's1', value: 2.5, timestamp: seconds(now - 30_000) },
    { eventId: 'js-3', userId: 'js-user', name: '', timestamp: seconds(now) },
  ];

  const response = await call(ingest, 'Track', { batchId: 'js-batch', events }, 'demo-ingest-key');

  assert.equal(response.batchId, 'js-batch');
  assert.equal(response.accepted, 2);
  assert.equal(response.duplicates, 0);
  assert.deepEqual(response.rejected.map((r) => [r.index, r.field]), [[2, 'name']]);

  await call(ingest, 'Identify', { eventId: 'js-id', userId: 'js-user', traits: { plan: 'pro' } }, 'demo-ingest-key');
  const user = await waitFor(async () => {
    const view = await call(query, 'GetUser', { userId: 'js-user' }, 'demo-read-key');
    return view.eventCount === 2 && view.traits.plan === 'pro' ? view : undefined;
  }, 'the user view');
  assert.equal(user.sessions, 1);
  assert.equal(user.valueSum, 2.5);
  assert.equal(user.lifecycle, 'LIFECYCLE_NEW');
  assert.deepEqual(user.features.map((f) => [f.feature, f.count]), [['search', 1]]);
});

test('a retried batch is reported as duplicates', async () => {
  const events = [{ eventId: 'js-retry', userId: 'js-retry-user', name: 'feature_used', feature: 'export' }];
  await call(ingest, 'Track', { batchId: 'a', events }, 'demo-ingest-key');

  const retry = await call(ingest, 'Track', { batchId: 'b', events }, 'demo-ingest-key');

  assert.equal(retry.accepted, 0);
  assert.equal(retry.duplicates, 1);
});

test('keys are checked: none is Unauthenticated, the wrong scope PermissionDenied', async () => {
  await assert.rejects(call(query, 'GetOverview', {}, undefined), (e) => e.code === grpc.status.UNAUTHENTICATED);
  await assert.rejects(call(query, 'GetOverview', {}, 'demo-ingest-key'), (e) => e.code === grpc.status.PERMISSION_DENIED);
  const overview = await call(query, 'GetOverview', {}, 'demo-read-key');
  assert.equal(overview.clock, 'wall');
});

test('AdminService: partial settings update with explicit presence, and a bad value named', async () => {
  const updated = await call(admin, 'UpdateTenantSettings', { churnHorizonDays: 21 }, 'demo-admin-key');
  assert.equal(updated.churnHorizonDays, 21);
  assert.equal(updated.minChurned, 100); // not sent, so not changed
  assert.deepEqual(updated.churnEvents.names, ['subscription_cancelled']);

  await assert.rejects(call(admin, 'UpdateTenantSettings', { alertThreshold: 2 }, 'demo-admin-key'), (error) => {
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
    assert.deepEqual(error.metadata.get('field'), ['alert_threshold']);
    return true;
  });
  await assert.rejects(call(admin, 'GetTenantSettings', {}, 'demo-read-key'), (error) => error.code === grpc.status.PERMISSION_DENIED);
  assert.equal((await call(admin, 'GetTenantSettings', {}, 'demo-admin-key')).churnHorizonDays, 21);
});
