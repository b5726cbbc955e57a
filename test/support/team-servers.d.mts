export declare const POSTGRES_BIN: string;
export declare const teamServersAvailable: () => boolean;
export declare const freePort: () => Promise<number>;
export declare class TestPostgres {
  readonly dir: string;
  port: number;
  readonly url: string;
  start(): Promise<this>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}
export declare class TestRedis {
  port: number;
  readonly url: string;
  start(): Promise<this>;
  stop(): Promise<void>;
}
