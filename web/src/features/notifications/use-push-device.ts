// The device switch's state for the screen: where push stands here, whether a
// step is running, and the last step's problem (in words beside the switch).
import { useCallback, useEffect, useState } from 'react';
import { useClient } from 'urql';
import { DeviceError, detect, disable, enable, type DeviceProblem, type DeviceState, type PushApi, type PushEnvironment } from './push-device';
import { graphqlPushApi } from './push-api';

export interface DeviceProblemState {
  problem: DeviceProblem;
  /** The API's error, when berth answered (words by describeError). */
  cause?: unknown;
}

export interface PushDevice {
  state: DeviceState;
  busy: boolean;
  problem: DeviceProblemState | null;
  turnOn(): Promise<void>;
  turnOff(): Promise<void>;
  /** Looks again (after a device was removed from the list, say). */
  recheck(): Promise<void>;
}

function asProblem(error: unknown): DeviceProblemState {
  if (error instanceof DeviceError) return { problem: error.problem, cause: error.cause };
  return { problem: 'subscribe-failed', cause: error };
}

/**
 * Push on this device, for `vapidKey` (undefined while the server's answer is
 * awaited). `onChange` runs after a step changed the registration (the list
 * of devices is then fetched again).
 */
export function usePushDevice(
  env: PushEnvironment,
  vapidKey: string | null | undefined,
  onChange: () => void,
  api?: PushApi,
): PushDevice {
  const client = useClient();
  const [state, setState] = useState<DeviceState>({ status: 'checking' });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<DeviceProblemState | null>(null);
  const pushApi = api ?? graphqlPushApi(client);

  const recheck = useCallback(async () => {
    if (vapidKey === undefined) return;
    try {
      setState(await detect(env, vapidKey));
    } catch {
      setState({ status: 'unsupported' });
    }
  }, [env, vapidKey]);

  useEffect(() => {
    if (vapidKey === undefined) return;
    let stopped = false;
    detect(env, vapidKey).then(
      (found) => {
        if (!stopped) setState(found);
      },
      () => {
        if (!stopped) setState({ status: 'unsupported' });
      },
    );
    return () => {
      stopped = true;
    };
  }, [env, vapidKey]);

  const run = async (step: () => Promise<DeviceState>) => {
    setBusy(true);
    setProblem(null);
    try {
      setState(await step());
    } catch (error) {
      const p = asProblem(error);
      setProblem(p);
      // Turning off failed only at berth's end: it is off here all the same.
      if (p.problem === 'unregister-failed') setState({ status: 'off' });
      else await recheck();
    } finally {
      setBusy(false);
      onChange();
    }
  };

  return {
    state,
    busy,
    problem,
    turnOn: () => run(() => enable(env, vapidKey ?? null, pushApi)),
    turnOff: () => run(() => disable(env, pushApi)),
    recheck,
  };
}
