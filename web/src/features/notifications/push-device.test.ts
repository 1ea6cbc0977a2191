// The device's push steps against a fake PushManager and a fake berth.
import { describe, expect, it, vi } from 'vitest';
import type { Client } from 'urql';
import { forgetDevice } from './forget-device';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  DeviceError,
  detect,
  disable,
  enable,
  refresh,
  type PushApi,
  type PushEnvironment,
} from './push-device';

// A P-256 point's length (65 bytes) is all the fake needs of a key.
const serverKey = bytesToBase64Url(new Uint8Array(65).fill(4));
const otherKey = bytesToBase64Url(new Uint8Array(65).fill(7));
const p256dh = bytesToBase64Url(new Uint8Array(65).fill(9));
const auth = bytesToBase64Url(new Uint8Array(16).fill(1));

class FakeSubscription {
  unsubscribed = false;
  readonly endpoint: string;
  readonly options: { applicationServerKey: ArrayBuffer | null; userVisibleOnly: boolean };
  private readonly manager: FakePushManager;
  constructor(manager: FakePushManager, endpoint: string, key: Uint8Array | null) {
    this.manager = manager;
    this.endpoint = endpoint;
    this.options = { applicationServerKey: key ? key.slice().buffer : null, userVisibleOnly: true };
  }
  toJSON() {
    return { endpoint: this.endpoint, keys: { p256dh, auth } };
  }
  getKey(): ArrayBuffer | null {
    return null;
  }
  unsubscribe() {
    this.unsubscribed = true;
    if (this.manager.current === this) this.manager.current = null;
    return Promise.resolve(true);
  }
}

class FakePushManager {
  current: FakeSubscription | null = null;
  subscribeError: Error | null = null;
  subscribed: PushSubscriptionOptionsInit[] = [];
  private n = 0;
  getSubscription() {
    return Promise.resolve(this.current as unknown as PushSubscription | null);
  }
  subscribe(options: PushSubscriptionOptionsInit) {
    if (this.subscribeError) return Promise.reject(this.subscribeError);
    this.subscribed.push(options);
    this.n += 1;
    this.current = new FakeSubscription(this, `https://push.example.test/send/${this.n}`, options.applicationServerKey as Uint8Array);
    return Promise.resolve(this.current as unknown as PushSubscription);
  }
}

function environment(
  over: Partial<Omit<PushEnvironment, 'permission'>> & { permission?: NotificationPermission; answer?: NotificationPermission } = {},
) {
  const manager = new FakePushManager();
  let permission: NotificationPermission = over.permission ?? 'default';
  const requestPermission = vi.fn(() => {
    permission = over.answer ?? 'granted';
    return Promise.resolve(permission);
  });
  const env: PushEnvironment = {
    supported: true,
    secure: true,
    online: () => true,
    pushManager: () => Promise.resolve(manager as unknown as PushManager),
    ...over,
    permission: () => permission,
    requestPermission,
  };
  return { env, manager, requestPermission };
}

function fakeBerth(over: Partial<PushApi> = {}) {
  const devices = new Map<string, { p256dh: string; auth: string }>();
  const api: PushApi = {
    register: vi.fn((endpoint: string, keys: { p256dh: string; auth: string }) => {
      devices.set(endpoint, keys);
      return Promise.resolve();
    }),
    unregister: vi.fn((endpoint: string) => {
      devices.delete(endpoint);
      return Promise.resolve();
    }),
    ...over,
  };
  return { api, devices };
}

describe('base64url', () => {
  it('round-trips bytes, padded or not', () => {
    const bytes = new Uint8Array([0, 255, 62, 63, 1, 2, 3]);
    const text = bytesToBase64Url(bytes);
    expect(text).not.toMatch(/[+/=]/);
    expect([...base64UrlToBytes(text)]).toEqual([...bytes]);
    expect([...base64UrlToBytes(`${text}=`)]).toEqual([...bytes]);
  });
});

describe('detect', () => {
  it('tells what stands in the way, in order', async () => {
    expect(await detect(environment({ supported: false }).env, serverKey)).toEqual({ status: 'unsupported' });
    expect(await detect(environment({ secure: false }).env, serverKey)).toEqual({ status: 'insecure' });
    expect(await detect(environment().env, null)).toEqual({ status: 'no-server-key' });
    expect(await detect(environment({ permission: 'denied' }).env, serverKey)).toEqual({ status: 'denied' });
    expect(await detect(environment().env, serverKey)).toEqual({ status: 'off' });
    expect(await detect(environment({ permission: 'granted', pushManager: () => Promise.resolve(null) }).env, serverKey)).toEqual({
      status: 'unsupported',
    });
  });

  it('is on when the worker holds a subscription', async () => {
    const { env, manager } = environment({ permission: 'granted' });
    await manager.subscribe({ applicationServerKey: base64UrlToBytes(serverKey) });
    expect(await detect(env, serverKey)).toEqual({ status: 'on', endpoint: 'https://push.example.test/send/1' });
  });
});

describe('enable', () => {
  it('asks permission, subscribes with the server key (user-visible only) and registers the endpoint and keys', async () => {
    const { env, manager, requestPermission } = environment();
    const { api, devices } = fakeBerth();
    const state = await enable(env, serverKey, api);
    expect(requestPermission).toHaveBeenCalledOnce();
    expect(manager.subscribed).toHaveLength(1);
    expect(manager.subscribed[0]!.userVisibleOnly).toBe(true);
    expect(bytesToBase64Url(manager.subscribed[0]!.applicationServerKey as Uint8Array)).toBe(serverKey);
    expect(state).toEqual({ status: 'on', endpoint: 'https://push.example.test/send/1' });
    expect(devices.get('https://push.example.test/send/1')).toEqual({ p256dh, auth });
  });

  it('does not ask again once granted, and reuses a subscription made with the same key', async () => {
    const { env, manager, requestPermission } = environment({ permission: 'granted' });
    await manager.subscribe({ applicationServerKey: base64UrlToBytes(serverKey) });
    const { api } = fakeBerth();
    await enable(env, serverKey, api);
    expect(requestPermission).not.toHaveBeenCalled();
    expect(manager.subscribed).toHaveLength(1);
    expect(api.register).toHaveBeenCalledWith('https://push.example.test/send/1', { p256dh, auth });
  });

  it('replaces a subscription made with another key', async () => {
    const { env, manager } = environment({ permission: 'granted' });
    const old = (await manager.subscribe({ applicationServerKey: base64UrlToBytes(otherKey) })) as unknown as FakeSubscription;
    const state = await enable(env, serverKey, fakeBerth().api);
    expect(old.unsubscribed).toBe(true);
    expect(state.endpoint).toBe('https://push.example.test/send/2');
  });

  it('is denied when the user blocks, and says so when the prompt is dismissed', async () => {
    const { api } = fakeBerth();
    expect(await enable(environment({ answer: 'denied' }).env, serverKey, api)).toEqual({ status: 'denied' });
    await expect(enable(environment({ answer: 'default' }).env, serverKey, api)).rejects.toMatchObject({ problem: 'dismissed' });
    expect(api.register).not.toHaveBeenCalled();
  });

  it('does nothing without a server key, and refuses offline', async () => {
    const { env, requestPermission } = environment();
    expect(await enable(env, null, fakeBerth().api)).toEqual({ status: 'no-server-key' });
    expect(requestPermission).not.toHaveBeenCalled();
    await expect(enable(environment({ online: () => false }).env, serverKey, fakeBerth().api)).rejects.toMatchObject({ problem: 'offline' });
  });

  it('undoes the subscription when berth refuses the registration', async () => {
    const { env, manager } = environment();
    const { api } = fakeBerth({ register: () => Promise.reject(new Error('FORBIDDEN')) });
    const error = await enable(env, serverKey, api).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceError);
    expect((error as DeviceError).problem).toBe('register-failed');
    expect(manager.current).toBeNull();
    expect(await detect(env, serverKey)).toEqual({ status: 'off' });
  });

  it('says the browser could not subscribe', async () => {
    const { env, manager } = environment();
    manager.subscribeError = new DOMException('push service unreachable', 'AbortError');
    await expect(enable(env, serverKey, fakeBerth().api)).rejects.toMatchObject({ problem: 'subscribe-failed' });
  });
});

describe('disable', () => {
  it('unsubscribes in the browser and unregisters the endpoint', async () => {
    const { env, manager } = environment();
    const { api, devices } = fakeBerth();
    await enable(env, serverKey, api);
    expect(await disable(env, api)).toEqual({ status: 'off' });
    expect(manager.current).toBeNull();
    expect(api.unregister).toHaveBeenCalledWith('https://push.example.test/send/1');
    expect(devices.size).toBe(0);
  });

  it('is off in the browser even when berth cannot be told', async () => {
    const { env, manager } = environment();
    const { api } = fakeBerth({ unregister: () => Promise.reject(new Error('offline')) });
    await enable(env, serverKey, api);
    await expect(disable(env, api)).rejects.toMatchObject({ problem: 'unregister-failed' });
    expect(manager.current).toBeNull();
  });

  it('is off already without a subscription', async () => {
    const { api } = fakeBerth();
    expect(await disable(environment().env, api)).toEqual({ status: 'off' });
    expect(api.unregister).not.toHaveBeenCalled();
  });
});

describe('refresh (app start)', () => {
  it('registers a subscribed device again', async () => {
    const { env } = environment();
    const { api } = fakeBerth();
    await enable(env, serverKey, api);
    expect(await refresh(env, serverKey, api)).toEqual({ status: 'on', endpoint: 'https://push.example.test/send/1' });
    expect(api.register).toHaveBeenCalledTimes(2);
  });

  it('leaves a device alone that is not subscribed', async () => {
    const { env } = environment({ permission: 'granted' });
    const { api } = fakeBerth();
    expect(await refresh(env, serverKey, api)).toEqual({ status: 'off' });
    expect(api.register).not.toHaveBeenCalled();
  });

  it('subscribes again with a new server key', async () => {
    const { env, manager } = environment({ permission: 'granted' });
    await manager.subscribe({ applicationServerKey: base64UrlToBytes(otherKey) });
    const { api, devices } = fakeBerth();
    expect((await refresh(env, serverKey, api)).endpoint).toBe('https://push.example.test/send/2');
    expect([...devices.keys()]).toEqual(['https://push.example.test/send/2']);
  });
});

describe('signing out forgets the device', () => {
  function fakeClient(fails = false) {
    const mutation = vi.fn(() => ({
      toPromise: () =>
        Promise.resolve(fails ? { error: new Error('offline') } : { data: { unregisterPushSubscription: true } }),
    }));
    return { client: { mutation } as unknown as Client, mutation };
  }

  it('unsubscribes in the browser and tells berth', async () => {
    const { env, manager } = environment({ permission: 'granted' });
    await manager.subscribe({ applicationServerKey: base64UrlToBytes(serverKey), userVisibleOnly: true });
    const endpoint = manager.current!.endpoint;
    const { client, mutation } = fakeClient();
    await forgetDevice(client, 50, env);
    expect(manager.current).toBeNull();
    expect(mutation).toHaveBeenCalledWith(expect.anything(), { endpoint });
  });

  it('never throws, and asks nothing of berth without a subscription', async () => {
    const { env, manager } = environment({ permission: 'granted' });
    const { client, mutation } = fakeClient(true);
    await expect(forgetDevice(client, 50, env)).resolves.toBeUndefined();
    expect(mutation).not.toHaveBeenCalled();
    await manager.subscribe({ applicationServerKey: base64UrlToBytes(serverKey), userVisibleOnly: true });
    await expect(forgetDevice(client, 50, env)).resolves.toBeUndefined();
    expect(manager.current).toBeNull();
  });

  it('does not hold sign-out up when the worker never answers', async () => {
    const { env } = environment({ pushManager: () => new Promise<PushManager | null>(() => undefined) });
    const { client } = fakeClient();
    await expect(forgetDevice(client, 20, env)).resolves.toBeUndefined();
  });
});
