import * as vscode from 'vscode';
import type { BudgetEvent } from '../../proxy/governance/budgets.js';
import type { Governance } from '../../proxy/governance/governance.js';
import type { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import type { GatewayHost } from '../gateway/gateway-host.js';

/** The ledger and the budget governance the panel and the budget alerts follow. The extension
 * keeps one ledger across gateway restarts (set as the host's usage sink); without one, the running
 * gateway's own. Governance is rebuilt with every gateway start, so listeners move with it. */
export class UsageSource implements vscode.Disposable {
  private ledger: UsageLedger | undefined;
  private governance: Governance | undefined;
  private readonly recorded = new vscode.EventEmitter<UsageRecord>();
  private readonly warned = new vscode.EventEmitter<BudgetEvent>();
  private readonly exceeded = new vscode.EventEmitter<BudgetEvent>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  readonly onDidRecord = this.recorded.event;
  readonly onBudgetWarning = this.warned.event;
  readonly onBudgetExceeded = this.exceeded.event;
  /** The ledger or the governance was swapped (a gateway start), or the ledger read more of its
   * months at start: everything shown may have changed. */
  readonly onDidChange = this.changed.event;

  private readonly onRecord = (record: UsageRecord): void => this.recorded.fire(record);
  private readonly onLoadProgress = (): void => this.changed.fire();
  private readonly onWarning = (event: BudgetEvent): void => this.warned.fire(event);
  private readonly onExceeded = (event: BudgetEvent): void => this.exceeded.fire(event);

  constructor(private readonly gateway: GatewayHost) {
    this.subscription = gateway.onDidChangeState(() => this.bind());
    this.bind();
  }

  currentLedger(): UsageLedger | undefined {
    this.bind();
    return this.ledger;
  }

  currentGovernance(): Governance | undefined {
    this.bind();
    return this.governance;
  }

  /** Follows whatever ledger and governance are current; cheap when nothing changed. */
  bind(): void {
    const context = this.gateway.current()?.context;
    const ledger = this.gateway.ledger ?? context?.ledger;
    const governance = context?.governance;
    if (ledger === this.ledger && governance === this.governance) return;
    if (ledger !== this.ledger) {
      this.ledger?.off('record', this.onRecord);
      this.ledger?.off('load-progress', this.onLoadProgress);
      ledger?.on('record', this.onRecord);
      ledger?.on('load-progress', this.onLoadProgress);
      this.ledger = ledger;
    }
    if (governance !== this.governance) {
      this.governance?.off('budget-warning', this.onWarning);
      this.governance?.off('budget-exceeded', this.onExceeded);
      governance?.on('budget-warning', this.onWarning);
      governance?.on('budget-exceeded', this.onExceeded);
      this.governance = governance;
    }
    this.changed.fire();
  }

  dispose(): void {
    this.ledger?.off('record', this.onRecord);
    this.ledger?.off('load-progress', this.onLoadProgress);
    this.governance?.off('budget-warning', this.onWarning);
    this.governance?.off('budget-exceeded', this.onExceeded);
    this.subscription.dispose();
    for (const emitter of [this.recorded, this.warned, this.exceeded, this.changed]) emitter.dispose();
  }
}
