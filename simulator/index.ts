// PLACEHOLDER interface, replaced by the simulator implementation (issue 3).
export type RateLimitOptions =
  | { algorithm: 'fixed-window'; limit: number; windowS: number }
  | { algorithm: 'token-bucket'; ratePerS: number; burst: number }
  | false;

export interface SimulatorOptions {
  host?: string;
  port?: number;
  rateLimit?: RateLimitOptions;
  faultRate?: number;
  readOnlyTokens?: string[];
}

export interface RunningSimulator {
  url: string;
  close(): Promise<void>;
}

export const startSimulator = async (_o: SimulatorOptions = {}): Promise<RunningSimulator> => {
  throw new Error('simulator not built yet');
};
