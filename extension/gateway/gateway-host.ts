import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { GatewayContext } from '../../proxy/server/gateway-context.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import type { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import { discardUsage, type UsageSink } from '../../proxy/usage/usage-record.js';
import type { ExtensionLog } from '../log-channel.js';
import type { ModapiSecrets } from '../secrets/modapi-secrets.js';
import { readModapiSettings } from '../modapi-settings.js';
import { notifyProblem } from '../notify.js';
import type { ModapiSettings } from '../settings.js';
import { gatewayOptionsFrom, type SecretSnapshot } from './gateway-options.js';
import { describeGatewayState, isPortInUse, type GatewayState } from './gateway-state.js';
import { offerAnotherPort } from './port-busy-prompt.js';
import { replaceLocalTokens } from '../../proxy/governance/replace-tokens.js';

/** Digest only: the secrets themselves are not kept around for comparison. */
const fingerprintOf = (settings: ModapiSettings, snapshot: SecretSnapshot): string =>
  createHash('sha256').update(JSON.stringify([settings, snapshot.apiKey, snapshot.providerKeys])).digest('hex');

/** Starts, restarts and stops the embedded gateway. Every start and stop runs in one queue, so
 * a settings change during a start cannot leave two servers behind. */
export class GatewayHost implements vscode.Disposable {
  private running: RunningGateway | undefined;
  private offline: { context: GatewayContext; settings: string } | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** A digest of the settings and secrets the last start used. */
  private startedWith: string | undefined;
  private currentState: GatewayState = { kind: 'starting' };
  private readonly changed = new vscode.EventEmitter<GatewayState>();
  readonly onDidChangeState = this.changed.event;
  /** Where usage records go; the ledger once the extension has one. */
  usage: UsageSink = discardUsage;
  /** The ledger kept across gateway restarts, so budgets and the usage panel see all history. */
  ledger: UsageLedger | undefined;

  constructor(
    private readonly secrets: ModapiSecrets,
    private readonly log: ExtensionLog,
  ) {}

  get state(): GatewayState {
    return this.currentState;
  }

  current(): RunningGateway | undefined {
    return this.running;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.startNow());
  }

  restart(reason: string): Promise<void> {
    this.log.info(`restarting the gateway (${reason})`);
    return this.enqueue(async () => {
      await this.stopNow();
      await this.startNow();
    });
  }

  /** After a settings or secrets change: rebuilds the gateway only if what it runs with changed
   * (a command that already restarted leaves nothing to do). */
  refresh(reason: string): Promise<void> {
    return this.enqueue(async () => {
      const fingerprint = fingerprintOf(readModapiSettings(), await this.snapshot());
      if (fingerprint === this.startedWith) return;
      this.log.info(`restarting the gateway (${reason})`);
      await this.stopNow();
      await this.startNow();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopNow());
  }

  /** New or revoked local tokens take effect at once, without dropping connections. */
  async reloadTokens(): Promise<void> {
    const tokens = await this.secrets.localTokens();
    // Through replaceLocalTokens, which teaches the redactor a new token before it is in use.
    if (this.running) replaceLocalTokens(this.running.context, tokens.map((entry) => ({ name: entry.name, token: entry.token })));
  }

  /** The running gateway's core, or one without a listener when the gateway is not running. */
  async gatewayContext(): Promise<GatewayContext> {
    await this.queue;
    if (this.running) return this.running.context;
    const snapshot = await this.snapshot();
    const options = gatewayOptionsFrom(readModapiSettings(), snapshot);
    const fingerprint = JSON.stringify(options.providers);
    if (this.offline?.settings !== fingerprint) {
      const { createOfflineContext } = await import('./offline-context.js');
      this.offline = { context: createOfflineContext(options.providers, this.log, this.log.redactor, this.usage), settings: fingerprint };
    }
    return this.offline.context;
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work, work).catch((error: unknown) => this.log.error(`gateway: ${(error as Error).message}`));
    return this.queue;
  }

  private setState(state: GatewayState): void {
    this.currentState = state;
    this.changed.fire(state);
  }

  private async snapshot(): Promise<SecretSnapshot> {
    const [apiKey, providerKeys, localTokens] = await Promise.all([this.secrets.apiKey(), this.secrets.providerKeys(), this.secrets.localTokens()]);
    return { apiKey, providerKeys, localTokens };
  }

  private async startNow(): Promise<void> {
    const settings = readModapiSettings();
    const snapshot = await this.snapshot();
    this.startedWith = fingerprintOf(settings, snapshot);
    if (!settings.gatewayEnabled) {
      this.setState({ kind: 'disabled' });
      this.log.info('gateway off (modapi.gateway.enabled is false)');
      return;
    }
    this.setState({ kind: 'starting' });
    const started = performance.now();
    const options = gatewayOptionsFrom(settings, snapshot);
    this.offline = undefined;
    try {
      // Loaded on first start, so activation does not pay for express and the adapters.
      const { startGateway } = await import('../../proxy/server/gateway-server.js');
      this.running = await startGateway({ ...options, log: this.log, redactor: this.log.redactor, ...(this.ledger ? { ledger: this.ledger } : { usage: this.usage }) });
      this.setState({ kind: 'running', url: this.running.url, port: this.running.port });
      this.log.info(`gateway listening on ${this.running.url} (${options.tokens.length} local token(s); started in ${Math.round(performance.now() - started)} ms)`);
    } catch (error) {
      if (isPortInUse(error)) {
        this.setState({ kind: 'port-busy', port: settings.gatewayPort });
        this.log.error(describeGatewayState(this.currentState));
        void offerAnotherPort(settings.gatewayPort, this.log);
      } else {
        this.setState({ kind: 'failed' });
        void notifyProblem(this.log, 'error', 'ModAPI: the gateway could not start.', (error as Error).message);
      }
    }
  }

  private async stopNow(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    await running.close(2_000);
    this.log.info('gateway stopped');
  }
}
