import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config.js';

describe('parseConfig', () => {
  it('has safe defaults: loopback, port 8000, embedded store in ./.aether', () => {
    const c = parseConfig({});
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8000);
    assert.equal(c.dataDir, './.aether');
    assert.equal(c.databaseUrl, undefined);
  });

  it('lets flags override the environment', () => {
    const c = parseConfig({ AETHER_PORT: '9000', LOG_LEVEL: 'debug' }, { AETHER_PORT: '9100' });
    assert.equal(c.port, 9100);
    assert.equal(c.logLevel, 'debug');
  });

  it('names every invalid variable', () => {
    assert.throws(
      () => parseConfig({ AETHER_PORT: '99999', REDIS_URL: 'localhost:6379', AETHER_MASTER_KEY: 'short' }),
      (e: Error) => /AETHER_PORT/.test(e.message) && /REDIS_URL/.test(e.message) && /AETHER_MASTER_KEY/.test(e.message),
    );
  });
});
