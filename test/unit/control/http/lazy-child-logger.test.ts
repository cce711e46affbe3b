import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import pino from 'pino';
import { lazyChildLoggerFactory } from '../../../../src/control/http/lazy-child-logger.ts';

test('lazyChildLoggerFactory: the request logger is made when a line is written, with the bindings and level Fastify gives', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  let children = 0;
  const app = Fastify({ loggerInstance: logger, disableRequestLogging: true, genReqId: () => 'req-1' });
  await app.register(async (scope) => {
    scope.setChildLoggerFactory((parent, bindings, options) => {
      children += 1;
      return lazyChildLoggerFactory(parent, bindings, options);
    });
    scope.get('/quiet', { logLevel: 'warn' }, async (request) => ({ level: request.log.level }));
    scope.get('/info', { logLevel: 'warn' }, async (request) => {
      request.log.info('below the route level');
      return 'ok';
    });
    scope.get('/warn', { logLevel: 'warn' }, async (request) => {
      request.log.warn({ mac: '02:00:00:00:00:01' }, 'refused');
      request.log.warn('again');
      return 'ok';
    });
  });
  const made: unknown[] = [];
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof logger.child>) => {
    made.push(args);
    return child(...args);
  }) as typeof logger.child;
  try {
    const quiet = await app.inject('/quiet');
    assert.deepEqual(quiet.json(), { level: 'warn' }, 'the level is known without the child');
    await app.inject('/info');
    assert.equal(children, 2, 'Fastify asked for a request logger per request');
    assert.equal(lines.length, 0);
    await app.inject('/warn');
    assert.equal(made.length, 2, 'a child was made for the request that logged at info (and wrote nothing) and the one at warn, once each');
    assert.deepEqual(
      lines.map(({ reqId, msg, mac }) => ({ reqId, msg, mac })),
      [
        { reqId: 'req-1', msg: 'refused', mac: '02:00:00:00:00:01' },
        { reqId: 'req-1', msg: 'again', mac: undefined },
      ],
    );
  } finally {
    await app.close();
  }
});
