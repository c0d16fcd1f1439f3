import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

/** Returns the message loadConfig raises for `env`, or fails when it raises nothing. */
function configErrorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected loadConfig to reject the environment');
}

describe('loadConfig', () => {
  it('defaults to the local driver', () => {
    const config = loadConfig({});

    expect(config.storage.driver).toBe('local');
    expect(config.urlExpiresSeconds).toBe(604_800);
    expect(config.signingWindowSeconds).toBe(3600);
  });

  it('selects S3 when S3_BUCKET is set', () => {
    const config = loadConfig({ S3_BUCKET: 'media', S3_REGION: 'eu-west-1', S3_PUBLIC_ENDPOINT: 'https://files.example.test' });

    expect(config.storage).toEqual({
      driver: 's3',
      s3: {
        bucket: 'media',
        region: 'eu-west-1',
        endpoint: undefined,
        publicEndpoint: 'https://files.example.test',
        forcePathStyle: false,
      },
    });
  });

  it('rejects a bucket without a region', () => {
    const message = configErrorOf({ S3_BUCKET: 'media' });

    expect(message).toMatch(/S3_REGION/);
    expect(message).toMatch(/required when S3_BUCKET is set/);
  });

  it('rejects URL_EXPIRES_SECONDS above 604800', () => {
    const message = configErrorOf({ URL_EXPIRES_SECONDS: '604801' });

    expect(message).toMatch(/URL_EXPIRES_SECONDS/);
    expect(message).toMatch(/604801/);
    expect(message).toMatch(/at most 604800/);
  });

  it('rejects a signing window above half the lifetime', () => {
    const message = configErrorOf({ URL_EXPIRES_SECONDS: '3600', SIGNING_WINDOW_SECONDS: '1801' });

    expect(message).toMatch(/SIGNING_WINDOW_SECONDS/);
  });

  it('rejects a short LOCAL_SIGNING_SECRET', () => {
    expect(configErrorOf({ LOCAL_SIGNING_SECRET: 'short' })).toMatch(/LOCAL_SIGNING_SECRET/);
  });

  it('hides the value of a rejected secret', () => {
    expect(configErrorOf({ LOCAL_SIGNING_SECRET: 'leaky-secret' })).not.toContain('leaky-secret');
  });

  it('accepts a disabled signed-URL cache', () => {
    expect(loadConfig({ SIGNED_URL_CACHE_MAX_ENTRIES: '0' }).signedUrlCacheMaxEntries).toBe(0);
  });
});
