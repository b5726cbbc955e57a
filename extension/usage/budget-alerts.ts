import * as vscode from 'vscode';
import { describeBudgetEvent, type BudgetEvent } from '../../proxy/governance/budgets.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import type { ExtensionLog } from '../log-channel.js';
import { budgetHint } from './budget-view.js';
import { currentBudgets } from './current-budgets.js';
import { trailingThrottle } from './throttle.js';
import type { UsageSource } from './usage-source.js';

const SHOW_USAGE = 'Show Usage';
/** A blocked request is announced at most this often (the first block of a period always is). */
const BLOCKED_NOTICE_INTERVAL_MS = 60_000;

/** A status bar hint while a budget is past its warning, a warning when one crosses it, and an
 * error notification when a cap refuses requests. Clicking either opens the usage panel. */
export class BudgetAlerts implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modapi.budget', vscode.StatusBarAlignment.Right, 99);
  private readonly disposables: vscode.Disposable[] = [];
  private readonly refresh = trailingThrottle(() => this.update(), 300);
  private lastBlockedNotice = 0;

  constructor(
    private readonly source: UsageSource,
    private readonly log: ExtensionLog,
  ) {
    this.item.name = 'ModAPI Budget';
    this.item.command = 'modapi.showUsage';
    this.disposables.push(
      source.onBudgetWarning((event) => this.warn(event)),
      source.onBudgetExceeded((event) => this.capReached(event)),
      source.onDidRecord((record) => this.recorded(record)),
      source.onDidChange(() => this.refresh.schedule()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('modapi.budget')) this.refresh.schedule();
      }),
    );
    this.update();
  }

  update(): void {
    const hint = budgetHint(currentBudgets(this.source));
    if (!hint) {
      this.item.hide();
      return;
    }
    this.item.text = hint.text;
    this.item.tooltip = `${hint.tooltip}\n\nClick to open the usage panel.`;
    this.item.accessibilityInformation = { label: `ModAPI budget: ${hint.tooltip}` };
    this.item.backgroundColor = new vscode.ThemeColor(hint.exceeded ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
    this.item.show();
  }

  private recorded(record: UsageRecord): void {
    this.refresh.schedule();
    if (record.errorCode !== 'budget_exceeded') return;
    const now = Date.now();
    if (now - this.lastBlockedNotice < BLOCKED_NOTICE_INTERVAL_MS) return;
    this.lastBlockedNotice = now;
    // The model id is the client's text: the log names it, the notification does not.
    this.log.warn(`usage panel: a request from "${record.client}" to ${record.requestedModel} was refused by a budget cap`);
    const applying = currentBudgets(this.source).filter((budget) => budget.id.startsWith('overall|') || budget.id.startsWith(`token|${record.client}|`));
    const fullest = applying.sort((a, b) => b.fraction - a.fraction)[0];
    const which = fullest ? `the ${fullest.label.charAt(0).toLowerCase()}${fullest.label.slice(1)} has $${fullest.spentUsd.toFixed(2)} of $${fullest.capUsd.toFixed(2)} spent and cannot take another request` : 'a budget cap is reached';
    this.notify('error', `ModAPI: a request from "${record.client}" was refused (429 budget_exceeded): ${which}. Raise the budget in the settings (modapi.budget) or wait for the next UTC day or month.`);
  }

  private warn(event: BudgetEvent): void {
    this.refresh.schedule();
    this.notify('warning', `ModAPI: ${describeBudgetEvent(event)}. Requests are refused past the cap.`);
  }

  private capReached(event: BudgetEvent): void {
    this.refresh.schedule();
    this.lastBlockedNotice = Date.now();
    this.notify('error', `ModAPI: ${describeBudgetEvent(event)}. The cap is reached: requests are refused (429 budget_exceeded) until the next UTC ${event.period}.`);
  }

  /** Governance already wrote the event to the log; this is for the person. */
  private notify(level: 'warning' | 'error', message: string): void {
    const show = level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    void show(message, SHOW_USAGE).then((choice) => {
      if (choice === SHOW_USAGE) void vscode.commands.executeCommand('modapi.showUsage');
    });
  }

  dispose(): void {
    this.refresh.cancel();
    this.item.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
