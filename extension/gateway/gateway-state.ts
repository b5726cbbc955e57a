/** What the status bar and commands show about the embedded gateway. */
export type GatewayState =
  | { kind: 'starting' }
  | { kind: 'running'; url: string; port: number }
  | { kind: 'disabled' }
  | { kind: 'port-busy'; port: number }
  /** Why is in the log: an error's text never reaches a notification or the status bar. */
  | { kind: 'failed' };

export const describeGatewayState = (state: GatewayState): string => {
  switch (state.kind) {
    case 'starting':
      return 'Gateway starting';
    case 'running':
      return `Gateway running on ${state.url}`;
    case 'disabled':
      return 'Gateway off (modapi.gateway.enabled)';
    case 'port-busy':
      return `Gateway not running: port ${state.port} is in use`;
    case 'failed':
      return 'Gateway not running: it could not start (see ModAPI: Show Logs)';
  }
};

export const isPortInUse = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
