/** What the status bar and commands show about the embedded gateway. */
export type GatewayState =
  | { kind: 'starting' }
  | { kind: 'running'; url: string; port: number }
  | { kind: 'disabled' }
  | { kind: 'port-busy'; port: number }
  | { kind: 'failed'; message: string };

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
      return `Gateway not running: ${state.message}`;
  }
};

export const isPortInUse = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
